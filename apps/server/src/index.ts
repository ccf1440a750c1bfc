/** @gatehouse/server — starting Gatehouse in-process (tests, embedding). */
export {
  type AuditRetention,
  type AuditRetentionOptions,
  DEFAULT_AUDIT_PRUNE_INTERVAL_MS,
  startAuditRetention,
} from './audit-retention.js';
export { configFromEnv, type ServerConfig } from './config.js';
export { type DemoSeed, seedDemo } from './demo.js';
export {
  DEFAULT_MAIL_FROM,
  type EmailDelivery,
  type EmailDeliveryTuning,
  startEmailDelivery,
} from './email-delivery.js';
export { PresetFilesError, presetFilePaths, presetRegistryFromFiles } from './preset-files.js';
export { securityHeaderList } from './security-headers.js';
export { type RunningServer, startServer } from './server.js';

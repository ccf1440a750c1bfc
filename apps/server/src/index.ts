/** @gatehouse/server — starting Gatehouse in-process (tests, embedding). */
export { configFromEnv, type ServerConfig } from './config.js';
export { type DemoSeed, seedDemo } from './demo.js';
export {
  DEFAULT_MAIL_FROM,
  type EmailDelivery,
  type EmailDeliveryTuning,
  startEmailDelivery,
} from './email-delivery.js';
export { type RunningServer, startServer } from './server.js';

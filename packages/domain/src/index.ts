/**
 * @gatehouse/domain — every use case as one transactional function over db + core: authorize,
 * check invariants, write, audit, outbox, revision bump.
 */
export { type AuditInput, entryHash, GENESIS_HASH } from './audit.js';
export { type Caller, type Principal, principalId, type Source } from './context.js';
export { EngineCache, REVISION_CHANNEL } from './engine-cache.js';
export { DomainError, DomainErrorCode, isUniqueViolation } from './errors.js';
export { authorizeRead } from './org-read.js';
export { type OrgWrite, orgWrite, type WriteResult } from './org-write.js';
export { presetOrThrow } from './presets.js';
export { hashSecret, newSecret, secretMatches } from './secrets.js';
export { createServices, type Services } from './services.js';
export { loadSnapshot } from './snapshot-loader.js';
export * from './use-cases/api-clients.js';
export * from './use-cases/assignments.js';
export * from './use-cases/audit-log.js';
export type { AtRevision } from './use-cases/authz.js';
export * as authz from './use-cases/authz.js';
export type { AssignmentView, RoleAt } from './use-cases/grants.js';
export * from './use-cases/groups.js';
export * from './use-cases/instance.js';
export * from './use-cases/lifecycle.js';
export * from './use-cases/members.js';
export * from './use-cases/orgs.js';
export { normalizeEmail } from './use-cases/people.js';
export * from './use-cases/roles.js';
export * from './use-cases/scopes.js';

/**
 * @gatehouse/domain — every use case as one transactional function over db + core: authorize,
 * check invariants, write, audit, outbox, revision bump.
 */
export { type AuditInput, entryHash, GENESIS_HASH } from './audit.js';
export { appendSyntheticAudit } from './audit-fixtures.js';
export {
  AUDIT_SIGNING_KEY_ENV,
  auditSigningKey,
  checkpointSignatureValid,
  signCheckpoint,
} from './audit-signing.js';
export { type Call, inOrg, type OrgCall } from './call.js';
export { type Caller, type Principal, principalId, principalOrg, type Source } from './context.js';
export { expireEmailSecrets, openEmail } from './email-secrets.js';
export {
  type ClaimedEmail,
  type DeliveryOptions,
  type DeliveryRound,
  deliverDueEmails,
  EMAIL_CHANNEL,
  type EmailTransport,
  type OutgoingEmail,
  queueEmail,
  readQueuedEmail,
  redactLinks,
  retryDelayMs,
} from './emails.js';
export { EngineCache, REVISION_CHANNEL } from './engine-cache.js';
export { DomainError, DomainErrorCode, isUniqueViolation } from './errors.js';
export { claimJob, finishJob, type JobClaimOptions, renewJob } from './jobs.js';
export { authorizeRead } from './org-read.js';
export { type OrgWrite, orgWrite, type WriteResult } from './org-write.js';
export { hashPassword, verifyPassword } from './passwords.js';
export { presetOrThrow } from './presets.js';
export { assertDirectoryRead } from './scim/access.js';
export { type ScimType, scimInvalid, scimTypeOf } from './scim/errors.js';
export { COMPARE_OPS, type CompareOp, type FilterNode, type Literal } from './scim/filter.js';
export { memberCondition } from './scim/filter-columns.js';
export {
  type DirectoryMemberRef,
  directoryGroupMembers,
  getDirectoryGroup,
  listDirectoryGroups,
} from './scim/group-reads.js';
export type { ScimListQuery, ScimPage } from './scim/query.js';
export {
  type AttrDef,
  type AttrType,
  type ResolvedPath,
  type ResourceSchema,
  resolvePath,
} from './scim/schema.js';
export * as scimSql from './scim/sql.js';
export {
  type DirectoryGroupRef,
  directoryUserGroups,
  getDirectoryUser,
  listDirectoryUsers,
} from './scim/user-reads.js';
export {
  instanceSecretKey,
  SECRET_KEY_ENV,
  SecretBoxError,
  type SecretKey,
} from './secret-box.js';
export { hashSecret, newSecret, secretMatches, secretsEqual } from './secrets.js';
export { createServices, type ServiceOptions, type Services } from './services.js';
export { loadSnapshot } from './snapshot-loader.js';
export * from './use-cases/accept-invitation.js';
export * from './use-cases/api-clients.js';
export * from './use-cases/assignments.js';
export * from './use-cases/audit-integrity.js';
export * from './use-cases/audit-log.js';
export * from './use-cases/audit-retention.js';
export type { AtRevision } from './use-cases/authz.js';
export * as authz from './use-cases/authz.js';
export * from './use-cases/directory.js';
export type { AssignmentView, RoleAt } from './use-cases/grants.js';
export * from './use-cases/group-reads.js';
export * from './use-cases/groups.js';
export * from './use-cases/instance.js';
export * from './use-cases/invitations.js';
export * from './use-cases/lifecycle.js';
export * from './use-cases/login.js';
export * from './use-cases/login-throttle.js';
export * from './use-cases/members.js';
export * from './use-cases/orgs.js';
export { normalizeEmail } from './use-cases/people.js';
export * from './use-cases/roles.js';
export * from './use-cases/scim-groups.js';
export * from './use-cases/scim-tokens.js';
export * from './use-cases/scim-users.js';
export * from './use-cases/scopes.js';
export * from './use-cases/session-auth.js';
export {
  type ListSessionsOptions,
  listSessions,
  revokeSession,
  type SessionView,
} from './use-cases/sessions.js';
export * from './use-cases/users.js';

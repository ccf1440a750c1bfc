/**
 * @gatehouse/domain — every use case as one transactional function over db + core: authorize,
 * check invariants, write, audit, outbox, revision bump. One folder per capability, each entered
 * only through its `index.ts`; `rules/` holds the shared building blocks and is not exported.
 * Test fixtures live behind `@gatehouse/domain/testing`.
 */
export * from './accounts/index.js';
export * from './api-clients/index.js';
export * from './assignments/index.js';
export {
  AUDIT_RETENTION_JOB,
  AUDIT_SIGNING_KEY_ENV,
  type AuditBreak,
  type AuditBreakReason,
  type AuditEntryView,
  type AuditFilter,
  type AuditInput,
  type AuditQuery,
  type AuditVerification,
  auditSigningKey,
  auditView,
  checkpointSignatureValid,
  entryHash,
  GENESIS_HASH,
  listAudit,
  openAuditExport,
  type ProductEventInput,
  type PruneResult,
  pruneAudit,
  pruneDueOrgs,
  RESERVED_ENTITY_TYPES,
  type RetentionJobOptions,
  type RetentionPass,
  recordAuditEvent,
  retentionDays,
  runAuditRetention,
  signCheckpoint,
  verifyAuditChain,
} from './audit/index.js';
/** The answer to a permission question, with the revision it was answered at. */
export type { AtRevision } from './authz/index.js';
export * as authz from './authz/index.js';
export { type Call, inOrg, type OrgCall } from './call.js';
export { type Caller, type Principal, principalId, principalOrg, type Source } from './context.js';
export * from './directory/index.js';
export * from './domains/index.js';
export {
  type ClaimedEmail,
  type DeliveryOptions,
  type DeliveryRound,
  deliverDueEmails,
  EMAIL_CHANNEL,
  type EmailTransport,
  expireEmailSecrets,
  type OutgoingEmail,
  openEmail,
  queueEmail,
  readQueuedEmail,
  redactLinks,
  retryDelayMs,
} from './emails/index.js';
export { EngineCache, loadSnapshot, REVISION_CHANNEL } from './engine/index.js';
export { DomainError, DomainErrorCode, isUniqueViolation } from './errors.js';
export { GROUP_COMMIT_MAX, groupCommitStats } from './group-commit.js';
export * from './groups/index.js';
export * from './instance/index.js';
export * from './invitations/index.js';
export { claimJob, finishJob, type JobClaimOptions, renewJob } from './jobs.js';
export * from './members/index.js';
export * from './mfa/index.js';
export { authorizeRead } from './org-read.js';
export {
  type OrgWrite,
  orgWrite,
  orgWriteIn,
  type WriteInTransaction,
  type WriteResult,
} from './org-write.js';
export * from './orgs/index.js';
export * from './presets/index.js';
export * from './roles/index.js';
export {
  type AssignmentView,
  DEFAULT_LOGIN_MAX_FAILURES,
  DEFAULT_LOGIN_WINDOW_MS,
  hashPassword,
  hashSecret,
  instanceSecretKey,
  loginThrottle,
  newSecret,
  normalizeEmail,
  PresetStore,
  presetOrThrow,
  type RoleAt,
  SECRET_KEY_ENV,
  SecretBoxError,
  type SecretKey,
  secretMatches,
  secretsEqual,
  verifyPassword,
} from './rules/index.js';
export * from './scim/index.js';
export * from './scopes/index.js';
export { createServices, type ServiceOptions, type Services } from './services.js';
export {
  type AuthenticatedSession,
  authenticateSession,
  DEFAULT_SESSION_TTL_MS,
  ENDED_SESSION_KEEP_MS,
  isSessionToken,
  type ListSessionsOptions,
  type LoginInput,
  type LoginResult,
  listSessions,
  login,
  logout,
  revokeSession,
  SESSION_TOKEN_PREFIX,
  type SessionLogin,
  type SessionView,
  sweepEndedSessions,
  type WhoAmI,
  whoAmI,
} from './sessions/index.js';
export {
  completeSsoSignIn,
  consumeSamlAssertion,
  createSamlConnection,
  createSsoConnection,
  DEFAULT_SSO_CLAIMS,
  DEFAULT_SSO_SCOPES,
  deleteSsoConnection,
  exchangeSsoCode,
  getSsoConnection,
  idpFetchOf,
  isPublicAddress,
  listSsoConnections,
  listSsoRedirectUris,
  NonPublicAddressError,
  nonPublicAddressIn,
  type OidcConnectionView,
  type OidcProvider,
  oidcIssuerProblem,
  parseSamlIdpMetadata,
  publicNetworkFetch,
  recordSsoRefusal,
  refreshDueSamlMetadata,
  refreshSamlMetadata,
  removeSsoGroupMapping,
  runSamlMetadataRefresh,
  SAML_METADATA_REFRESH_JOB,
  type SamlCertificateView,
  type SamlConnectionChanges,
  type SamlConnectionInput,
  type SamlConnectionView,
  type SamlIdpMetadata,
  type SamlMetadataPass,
  type SamlMetadataRefresh,
  type SamlMetadataRefreshOptions,
  type SamlMetadataStatus,
  type SamlProvider,
  type SignInOptions,
  SSO_ATTEMPT_TTL_MS,
  SSO_CODE_TTL_MS,
  SSO_REFUSALS_AUDITED_PER_MINUTE,
  type SsoAttempt,
  type SsoClaimNames,
  type SsoConnectionChanges,
  type SsoConnectionInput,
  type SsoConnectionView,
  type SsoConnectionWrite,
  type SsoExchangeResult,
  type SsoGroupMappingView,
  type SsoPlan,
  type SsoProfile,
  type SsoProvider,
  type SsoRedirect,
  type SsoRefusal,
  type SsoRefusalInput,
  type SsoRefusalOutcome,
  type SsoSignedIn,
  type SsoTestReport,
  type StartSsoInput,
  samlAttemptFor,
  samlServiceProvider,
  setSsoGroupMapping,
  setSsoRedirectUris,
  signInOptions,
  ssoTestRedirect,
  startSsoSignIn,
  startSsoTest,
  sweepSsoAttempts,
  takeSsoAttempt,
  testSsoSignIn,
  updateSamlConnection,
  updateSsoConnection,
} from './sso/index.js';

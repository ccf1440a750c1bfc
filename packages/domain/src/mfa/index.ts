/**
 * Multi-factor authentication (issue 14): TOTP authenticators (enroll, confirm with a first code,
 * disable), ten single-use recovery codes, the second step of a password sign-in, an org's
 * "require MFA" policy, and an admin's reset of a member's factors (seed 003).
 */
export {
  CHALLENGE_PROBLEMS,
  DEFAULT_MFA_CHALLENGE_TTL_MS,
  issueMfaChallenge,
  type MfaChallenge,
} from './challenge.js';
export * from './complete.js';
export * from './confirm.js';
export * from './disable.js';
export { enrollTotp, PENDING_TOTP_TTL_MS, pendingTotp, type TotpEnrollment } from './enroll.js';
export { confirmedFactor } from './factors.js';
export * from './policy.js';
export { normalizeRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-codes.js';
export * from './reset-member.js';
export { SECOND_FACTOR_PROBLEMS, type SecondFactorInput } from './second-factor.js';
export * from './status.js';
export * from './sweep.js';
export { TOTP_ISSUER, TOTP_PERIOD_SECONDS, totpCode, totpStep } from './totp.js';

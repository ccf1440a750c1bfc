/**
 * Verified domains (I3, I4; issue 13 "Domains"): claim, verify by a DNS TXT record, re-verify
 * on a schedule, delete; the org's policies for the people of its verified domains; and the two
 * functions sign-in paths use (`verifiedDomainOwner`, `assertSignInAllowed`).
 */
export * from './auto-join.js';
export * from './claim.js';
export * from './delete.js';
export {
  CHALLENGE_LABEL,
  CHALLENGE_VALUE_PREFIX,
  type ChallengeRecord,
  type CheckFailure,
  type CheckOutcome,
  challengeRecord,
  checkChallenge,
  createTxtResolver,
  type TxtResolver,
  type TxtResolverOptions,
} from './dns.js';
export { DOMAIN_MAX, normalizeDomain } from './hostname.js';
export * from './list.js';
export * from './owner.js';
export * from './policy.js';
export * from './recheck-job.js';
export {
  DEFAULT_DOMAIN_RECHECK_INTERVAL_MS,
  DEFAULT_DOMAIN_RECHECK_MAX_FAILURES,
  type DomainView,
} from './rows.js';
export * from './sign-in.js';
export * from './verify.js';

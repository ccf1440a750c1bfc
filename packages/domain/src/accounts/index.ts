/**
 * Accounts (issue 14): passwords after they are set. "Forgot password" and the reset link,
 * changing one's own password, an admin's reset of a member's (M6, seed 003), and what a reset
 * page may ask about a link.
 */
export * from './change.js';
export { passwordResetEmail, passwordResetLink } from './email.js';
export { inEachOrg, orgsOfUser } from './every-org.js';
export * from './inspect.js';
export { DEFAULT_PASSWORD_RESET_TTL_MS } from './links.js';
export * from './request-reset.js';
export * from './reset.js';
export * from './reset-member.js';
export { maskEmail, type ResetLinkState } from './rows.js';
export {
  DEFAULT_RESET_MAX_PER_EMAIL,
  DEFAULT_RESET_MAX_PER_IP,
  DEFAULT_RESET_WINDOW_MS,
} from './throttle.js';

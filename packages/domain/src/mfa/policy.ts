/**
 * The org policy "require MFA" (issue 14): `settings.requireMfa` of the org, set with
 * `orgs.update` by whoever may change the org's settings (`org.update`), audited with the org's
 * other settings. While it is on, a member signed in with a password alone and without a
 * confirmed factor may only enroll one (../sessions/authenticate.ts marks such a session
 * `restricted: 'mfa_enrollment'`; the API and the pages refuse everything else). Sign-ins
 * through the org's SSO are the identity provider's concern and are never restricted.
 */
import { invalid } from '../errors.js';

/** The org setting's key. */
export const REQUIRE_MFA_SETTING = 'requireMfa';

/** True when the org's settings require MFA; INVALID when the setting is not a boolean. */
export function requiresMfa(settings: Record<string, unknown> | null | undefined): boolean {
  const v = settings?.[REQUIRE_MFA_SETTING];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean')
    throw invalid(`settings.${REQUIRE_MFA_SETTING} must be true or false`);
  return v;
}

/** What a restricted session is told for anything but enrolling. */
export const MFA_ENROLLMENT_REQUIRED =
  'this organization requires multi-factor authentication: enroll an authenticator app first (accounts.enrollTotp, then accounts.confirmTotp; in a browser, /account/mfa), then everything else works';

/** Whether a session must enroll before doing anything else (see the module comment). */
export function enrollmentRequired(q: {
  readonly authMethod: string;
  readonly mfaEnrolled: boolean;
  readonly orgSettings: Record<string, unknown> | null | undefined;
}): boolean {
  if (q.authMethod !== 'pwd' || q.mfaEnrolled) return false;
  try {
    return requiresMfa(q.orgSettings);
  } catch {
    return false;
  }
}

/**
 * Issue 14: what a reset page shows before asking for a new password (public, the token is the
 * credential): whether the link can be used and for which account, the address masked. It
 * changes nothing, so a page may ask as often as it renders.
 */
import { clock } from '../invitations/index.js';
import type { Services } from '../services.js';
import { resetRefusal } from './policy.js';
import { findResetLink, LINK_PROBLEMS, linkState, maskEmail, type ResetLinkState } from './rows.js';

/** A link as a reset page sees it. */
export interface PasswordResetLinkView {
  readonly usable: boolean;
  /** `refused`: the account may not set a password this way now (its domain requires SSO). */
  readonly state: ResetLinkState | 'unknown' | 'refused';
  /** The account's address, masked (`a•••@acme.test`); null for an unknown link. */
  readonly email: string | null;
  readonly expiresAt: string | null;
  /** Why it cannot be used, in words for the page; null when usable. */
  readonly problem: string | null;
}

/**
 * Tells whether `token` is a usable reset link, without using it.
 *
 * @example
 * const link = await inspectPasswordReset(s, { token });
 * if (!link.usable) showError(link.problem); else askForPassword(link.email);
 */
export async function inspectPasswordReset(
  s: Services,
  { token }: { readonly token: string },
): Promise<PasswordResetLinkView> {
  const row = token ? await findResetLink(s.db, token) : undefined;
  if (!row) {
    return {
      usable: false,
      state: 'unknown',
      email: null,
      expiresAt: null,
      problem: LINK_PROBLEMS.unknown,
    };
  }
  const state = linkState(row, clock(s));
  const refusal = state === 'usable' ? await resetRefusal(s, s.db, row) : null;
  return {
    usable: state === 'usable' && !refusal,
    state: refusal ? 'refused' : state,
    email: maskEmail(row.email),
    expiresAt: new Date(row.expires_at).toISOString(),
    problem: refusal?.message ?? (state === 'usable' ? null : LINK_PROBLEMS[state]),
  };
}

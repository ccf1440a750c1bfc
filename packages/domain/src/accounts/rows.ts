/** Password reset links as stored: found by their token, their state, and the refusals shared by the use cases. */
import type { DB, PasswordResetRow } from '@gatehouse/db';
import { DomainError, invalid } from '../errors.js';
import { hashSecret } from '../rules/index.js';

/** Where a link stands: only `usable` ones reset a password. */
export type ResetLinkState = 'usable' | 'used' | 'superseded' | 'expired';

/** A link with its account. */
export type ResetLink = PasswordResetRow & {
  readonly email: string;
  readonly email_lower: string;
  readonly password_hash: string | null;
};

/** The link whose token is `token`, with its account; undefined when no link has that token. */
export async function findResetLink(
  db: Pick<DB, 'selectFrom'>,
  token: string,
): Promise<ResetLink | undefined> {
  return db
    .selectFrom('password_resets')
    .innerJoin('users', 'users.id', 'password_resets.user_id')
    .selectAll('password_resets')
    .select(['users.email', 'users.email_lower', 'users.password_hash'])
    .where('password_resets.token_hash', '=', hashSecret(token))
    .executeTakeFirst();
}

/** The state of a link at `now`. */
export function linkState(row: PasswordResetRow, now: Date): ResetLinkState {
  if (row.used_at) return 'used';
  if (row.superseded_at) return 'superseded';
  if (new Date(row.expires_at).getTime() <= now.getTime()) return 'expired';
  return 'usable';
}

/** What a page says about a link that cannot be used. */
export const LINK_PROBLEMS: Record<Exclude<ResetLinkState, 'usable'> | 'unknown', string> = {
  unknown:
    'this password reset link is not valid; check that it was copied whole, or ask for a new one',
  used: 'this password reset link has already been used; ask for a new one if you need to',
  superseded:
    'this password reset link was replaced by a newer one; use the link in the most recent email',
  expired: 'this password reset link has expired; ask for a new one',
};

/** NOT_FOUND: no link has this token. */
export const unknownLink = () => new DomainError('NOT_FOUND', LINK_PROBLEMS.unknown);

/** Throws INVALID, saying why, unless the link is usable at `now`. */
export function assertUsable(row: PasswordResetRow, now: Date): void {
  const state = linkState(row, now);
  if (state !== 'usable') throw invalid(LINK_PROBLEMS[state]);
}

/**
 * An email address with most of its local part hidden, for a page that must say which account a
 * link is for without spelling it out: `ana.lopez@acme.test` → `a•••••••z@acme.test`.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '•••';
  const local = email.slice(0, at);
  const hidden =
    local.length <= 2
      ? `${local[0]}•`
      : `${local[0]}${'•'.repeat(local.length - 2)}${local.at(-1)}`;
  return `${hidden}${email.slice(at)}`;
}

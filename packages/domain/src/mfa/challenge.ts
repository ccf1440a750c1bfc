/**
 * The second step of a password sign-in (issue 14). When the password is right and the account
 * has a confirmed authenticator, `login` answers `{ mfaRequired: true, mfaToken }` instead of a
 * session: the token names the org and the client the session will be for, lives
 * MFA_CHALLENGE_TTL_MS (5 minutes unless the deployment says), works once, and only its SHA-256 is
 * stored. `completeMfaLogin` (./complete.ts) takes it with a code and issues the session.
 */
import { type Database, type MfaChallengeRow, newId, type Transaction } from '@gatehouse/db';
import { DomainError } from '../errors.js';
import { hashSecret, issueCredential } from '../rules/index.js';
import type { Services } from '../services.js';

/** How long a sign-in waits for its second factor: 5 minutes. */
export const DEFAULT_MFA_CHALLENGE_TTL_MS = 5 * 60_000;

/** What `login` answers when a second factor is needed. */
export interface MfaChallenge {
  readonly mfaRequired: true;
  /** Shown once; send it back to `sessions.completeMfaLogin` with a code. */
  readonly mfaToken: string;
  readonly expiresAt: string;
}

/** Stores a challenge for `userId` signing in to `orgId`; returns its token. */
export async function issueMfaChallenge(
  s: Services,
  trx: Transaction<Database>,
  q: {
    readonly userId: string;
    readonly orgId: string;
    readonly userAgent?: string | undefined;
    readonly ip?: string | undefined;
  },
  now: Date,
): Promise<MfaChallenge> {
  const id = newId('mfaChallenge');
  const { secret, hash } = issueCredential(id);
  const expiresAt = new Date(
    now.getTime() + (s.options?.mfaChallengeTtlMs ?? DEFAULT_MFA_CHALLENGE_TTL_MS),
  );
  // A user's finished or expired challenges go as new ones come.
  await trx
    .deleteFrom('mfa_challenges')
    .where('user_id', '=', q.userId)
    .where((eb) => eb.or([eb('used_at', 'is not', null), eb('expires_at', '<', now)]))
    .execute();
  await trx
    .insertInto('mfa_challenges')
    .values({
      id,
      user_id: q.userId,
      org_id: q.orgId,
      token_hash: hash,
      created_at: now,
      expires_at: expiresAt,
      user_agent: q.userAgent?.slice(0, 500) || null,
      ip: q.ip?.slice(0, 100) || null,
    })
    .execute();
  return { mfaRequired: true, mfaToken: secret, expiresAt: expiresAt.toISOString() };
}

/** Why a challenge cannot be used. */
export const CHALLENGE_PROBLEMS = {
  unknown: 'this sign-in step is not valid; sign in again with your password',
  used: 'this sign-in step was already completed or cancelled; sign in again with your password',
  expired: 'this sign-in step has expired (it lasts 5 minutes); sign in again with your password',
} as const;

/** A challenge row with its account. */
export type ChallengeWithUser = MfaChallengeRow & {
  readonly email: string;
  readonly email_lower: string;
};

/** The usable challenge whose token is `token`; UNAUTHENTICATED, saying why, otherwise. */
export async function usableChallenge(
  s: Services,
  token: string,
  now: Date,
): Promise<ChallengeWithUser> {
  const row = token
    ? await s.db
        .selectFrom('mfa_challenges')
        .innerJoin('users', 'users.id', 'mfa_challenges.user_id')
        .selectAll('mfa_challenges')
        .select(['users.email', 'users.email_lower'])
        .where('mfa_challenges.token_hash', '=', hashSecret(token))
        .executeTakeFirst()
    : undefined;
  const refused = (m: string) => new DomainError('UNAUTHENTICATED', m);
  if (!row) throw refused(CHALLENGE_PROBLEMS.unknown);
  if (row.used_at) throw refused(CHALLENGE_PROBLEMS.used);
  if (new Date(row.expires_at).getTime() <= now.getTime())
    throw refused(CHALLENGE_PROBLEMS.expired);
  return row;
}

/** Uses a challenge up inside the sign-in's write; UNAUTHENTICATED when it was used meanwhile. */
export async function useChallenge(
  trx: Transaction<Database>,
  id: string,
  now: Date,
): Promise<void> {
  const used = await trx
    .updateTable('mfa_challenges')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('id')
    .execute();
  if (used.length === 0) throw new DomainError('UNAUTHENTICATED', CHALLENGE_PROBLEMS.used);
}

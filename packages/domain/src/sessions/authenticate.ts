/**
 * Turning a session token into a caller: the user principal of one org. Checked against the
 * database on every request (one indexed read), so a logout, revoke or deactivation ends the
 * session at once in every process. A password session of someone without an authenticator, in
 * an org that requires MFA, comes back `restricted: 'mfa_enrollment'` (../mfa/policy.ts).
 */
import type { Principal } from '../context.js';
import { DomainError } from '../errors.js';
import { clock } from '../invitations/index.js';
import { enrollmentRequired } from '../mfa/index.js';
import { recordCredentialUse, secretMatches } from '../rules/index.js';
import type { Services } from '../services.js';
import { type SessionView, sessionView } from './view.js';

/** Session tokens start with this (`ses_<id>.<secret>`), so a server tells them from API keys. */
export const SESSION_TOKEN_PREFIX = 'ses_';

/** True when `token` looks like a session token (it may still be invalid). */
export function isSessionToken(token: string): boolean {
  return token.startsWith(SESSION_TOKEN_PREFIX);
}

const refused = (why: string) => new DomainError('UNAUTHENTICATED', why);

/** An authenticated session: the principal to act as, and the session. */
export interface AuthenticatedSession {
  readonly principal: Extract<Principal, { kind: 'user' }>;
  readonly session: SessionView;
}

/**
 * Resolves a session token to its user principal, or throws UNAUTHENTICATED when the token is
 * unknown, ended (logout, revoke, deactivation, removal) or expired. Records last use at most
 * once a minute.
 */
export async function authenticateSession(
  s: Services,
  token: string,
): Promise<AuthenticatedSession> {
  const dot = token.indexOf('.');
  const id = dot > 0 ? token.slice(0, dot) : '';
  const row = isSessionToken(id)
    ? await s.db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .innerJoin('orgs', 'orgs.id', 'sessions.org_id')
        .leftJoin('members', (j) =>
          j
            .onRef('members.org_id', '=', 'sessions.org_id')
            .onRef('members.user_id', '=', 'sessions.user_id'),
        )
        .selectAll('sessions')
        .select([
          'users.email',
          'users.mfa_enrolled',
          'members.status',
          'orgs.revision',
          'orgs.settings',
        ])
        .where('sessions.id', '=', id)
        .executeTakeFirst()
    : undefined;
  if (!row || !secretMatches(token, row.token_hash)) throw refused('invalid session token');
  const now = clock(s);
  if (row.revoked_at) throw refused('this session has ended; log in again');
  if (new Date(row.expires_at) <= now) throw refused('this session has expired; log in again');
  // Deactivation and removal revoke sessions in their write; this holds even if one slipped by.
  if (row.status !== 'active') throw refused('this session has ended; log in again');
  if (await recordCredentialUse(s.db, 'sessions', row, now.getTime())) row.last_used_at = now;
  s.engines.noteRevision(row.org_id, row.revision);
  const restricted = enrollmentRequired({
    authMethod: row.auth_method,
    mfaEnrolled: row.mfa_enrolled,
    orgSettings: row.settings,
  });
  return {
    principal: {
      kind: 'user',
      orgId: row.org_id,
      userId: row.user_id,
      sessionId: row.id,
      ...(restricted ? { restricted: 'mfa_enrollment' as const } : {}),
    },
    session: sessionView(row, now),
  };
}

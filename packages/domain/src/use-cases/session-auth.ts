/**
 * Turning a session token into a caller: the user principal of one org. Checked against the
 * database on every request (one indexed read), so a logout, revoke or deactivation ends the
 * session at once in every process.
 */
import type { Caller, Principal } from '../context.js';
import { DomainError, invalid, notFound } from '../errors.js';
import { secretMatches } from '../secrets.js';
import type { Services } from '../services.js';
import { recordCredentialUse } from './credential-rows.js';
import { clock } from './invitation-rows.js';
import { type SessionView, sessionView } from './sessions.js';

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
        .select(['users.email', 'members.status', 'orgs.revision'])
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
  return {
    principal: { kind: 'user', orgId: row.org_id, userId: row.user_id, sessionId: row.id },
    session: sessionView(row, now),
  };
}

/** Who a user session is: the user, the org it is signed in to, and the session. */
export interface WhoAmI {
  readonly user: { readonly id: string; readonly email: string; readonly name: string | null };
  readonly org: { readonly id: string; readonly name: string; readonly slug: string };
  readonly session: SessionView;
}

/** The signed-in user, their org and their session (a user session only). */
export async function whoAmI(s: Services, caller: Caller): Promise<WhoAmI> {
  const p = caller.principal;
  if (p.kind !== 'user') throw invalid('only a user session has a signed-in user');
  const row = await s.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('orgs', 'orgs.id', 'sessions.org_id')
    .selectAll('sessions')
    .select(['users.email', 'users.name', 'orgs.name as org_name', 'orgs.slug as org_slug'])
    .where('sessions.org_id', '=', p.orgId)
    .where('sessions.id', '=', p.sessionId)
    .executeTakeFirst();
  if (!row) throw notFound(`session ${p.sessionId}`);
  return {
    user: { id: row.user_id, email: row.email, name: row.name },
    org: { id: row.org_id, name: row.org_name, slug: row.org_slug },
    session: sessionView(row, clock(s)),
  };
}

/**
 * Issuing a user session, whatever proved who the user is (a password: ./login.ts; an identity
 * provider: ../sso/exchange.ts): inside the caller's `orgEventWrite` acting as the user, it
 * clears that user's long-ended sessions in the org, stores the new one (token hashed), records
 * the sign-in time and audits `LoggedIn`. The caller has checked the user is an active member
 * under the org lock.
 */
import type { AuthMethod } from '@gatehouse/db';
import type { OrgWrite } from '../org-write.js';
import { issueCredential } from '../rules/index.js';
import type { Services } from '../services.js';
import { loadSession } from './end.js';
import { ENDED_SESSION_KEEP_MS } from './sweep.js';
import { type SessionView, sessionView } from './view.js';

/** How long a session lasts when the deployment does not say: 12 hours. */
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** What a new session records. */
export interface IssueSessionInput {
  readonly userId: string;
  /** The id the write's caller already names (`principal.sessionId`). */
  readonly sessionId: string;
  readonly userAgent?: string | undefined;
  readonly ip?: string | undefined;
  /** How the user proved who they are, recorded in the audit entry (`sso` with a connection). */
  readonly via?: { readonly method: 'sso'; readonly connectionId: string } | undefined;
  /** A password sign-in's factors: `pwd` (the default), `pwd+totp` or `pwd+recovery`. */
  readonly method?: Exclude<AuthMethod, 'sso'> | undefined;
}

/** A new session: `token` is shown this once and never stored. */
export interface IssuedSession {
  readonly token: string;
  readonly session: SessionView;
}

/** Stores a new session for `userId` in the write's org; see the module comment. */
export async function issueSession(
  s: Services,
  w: OrgWrite,
  input: IssueSessionInput,
): Promise<IssuedSession> {
  const { userId, sessionId } = input;
  const now = s.options?.now?.() ?? new Date();
  const endedBefore = new Date(now.getTime() - ENDED_SESSION_KEEP_MS);
  await w.trx
    .deleteFrom('sessions')
    .where('org_id', '=', w.orgId)
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('expires_at', '<', endedBefore), eb('revoked_at', '<', endedBefore)]))
    .execute();
  const expiresAt = new Date(now.getTime() + (s.options?.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS));
  const { secret, hash } = issueCredential(sessionId);
  const userAgent = input.userAgent?.slice(0, 500) || null;
  const ip = input.ip?.slice(0, 100) || null;
  const method: AuthMethod = input.via ? 'sso' : (input.method ?? 'pwd');
  await w.trx
    .insertInto('sessions')
    .values({
      org_id: w.orgId,
      id: sessionId,
      user_id: userId,
      token_hash: hash,
      created_at: now,
      expires_at: expiresAt,
      last_used_at: null,
      revoked_at: null,
      user_agent: userAgent,
      ip,
      auth_method: method,
    })
    .execute();
  // The org's directory shows the membership's last sign-in (this org's only); the user's is
  // instance-wide.
  await w.trx
    .updateTable('members')
    .set({ last_login_at: now, last_login_method: method })
    .where('org_id', '=', w.orgId)
    .where('user_id', '=', userId)
    .execute();
  await w.trx.updateTable('users').set({ last_login_at: now }).where('id', '=', userId).execute();
  w.audit({
    action: 'LoggedIn',
    entityType: 'session',
    entityId: sessionId,
    scopeId: w.orgId,
    after: {
      userId,
      expiresAt: expiresAt.toISOString(),
      userAgent,
      ip,
      method,
      ...(input.via ? { via: input.via.method, connectionId: input.via.connectionId } : {}),
    },
  });
  w.emit('session.created', { sessionId, userId });
  return { token: secret, session: sessionView(await loadSession(w, sessionId), now) };
}

/** A session as the API shows it. */
import type { AuthMethod, SessionRow } from '@gatehouse/db';
import type { Caller } from '../context.js';

/** A session as the API shows it (never the token or its hash). */
export interface SessionView {
  readonly id: string;
  readonly orgId: string;
  readonly userId: string;
  readonly email: string;
  /** `active` until it expires, or until logout, revoke, deactivation or removal end it. */
  readonly status: 'active' | 'expired' | 'revoked';
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
  readonly userAgent: string | null;
  readonly ip: string | null;
  /** How the user signed in: `pwd`, `pwd+totp`, `pwd+recovery` (a recovery code) or `sso`. */
  readonly authMethod: AuthMethod;
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/** Maps a session row (with the user's email) to its view at `now`. */
export function sessionView(r: SessionRow & { email: string }, now: Date): SessionView {
  const expiresAt = new Date(r.expires_at);
  return {
    id: r.id,
    orgId: r.org_id,
    userId: r.user_id,
    email: r.email,
    status: r.revoked_at ? 'revoked' : expiresAt <= now ? 'expired' : 'active',
    createdAt: new Date(r.created_at).toISOString(),
    expiresAt: expiresAt.toISOString(),
    lastUsedAt: iso(r.last_used_at),
    revokedAt: iso(r.revoked_at),
    userAgent: r.user_agent,
    ip: r.ip,
    authMethod: r.auth_method,
  };
}

/** True when the caller is the user session of `userId`. */
export function isOwn(caller: Caller, userId: string | undefined): boolean {
  return caller.principal.kind === 'user' && caller.principal.userId === userId;
}

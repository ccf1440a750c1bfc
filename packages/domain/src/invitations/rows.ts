/** Invitation rows and their view, shared by the invitation use cases. */
import type { InvitationRole, InvitationRow } from '@gatehouse/db';
import { notFound } from '../errors.js';
import type { OrgWrite } from '../org-write.js';
import type { Services } from '../services.js';

/** Status as the API shows it: `expired` is a pending invitation past its `expiresAt`. */
export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

/** An invitation as the API shows it (never its token). */
export interface InvitationView {
  readonly id: string;
  readonly orgId: string;
  readonly email: string;
  readonly name: string | null;
  readonly scopeId: string;
  readonly roles: readonly InvitationRole[];
  readonly status: InvitationStatus;
  readonly expiresAt: string;
  readonly invitedBy: string;
  readonly createdAt: string;
  readonly lastSentAt: string;
  readonly resendCount: number;
  readonly acceptedAt: string | null;
  readonly acceptedUserId: string | null;
  readonly revokedAt: string | null;
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/** The clock of the deployment (tests move it). */
export const clock = (s: Services) => s.options?.now?.() ?? new Date();

/** Maps a row to its view, with expiry computed at `now`. */
export function invitationView(r: InvitationRow, now: Date): InvitationView {
  const expired = r.status === 'pending' && new Date(r.expires_at).getTime() <= now.getTime();
  return {
    id: r.id,
    orgId: r.org_id,
    email: r.email,
    name: r.name,
    scopeId: r.scope_id,
    roles: r.roles,
    status: expired ? 'expired' : r.status,
    expiresAt: new Date(r.expires_at).toISOString(),
    invitedBy: r.invited_by,
    createdAt: new Date(r.created_at).toISOString(),
    lastSentAt: new Date(r.last_sent_at).toISOString(),
    resendCount: r.resend_count,
    acceptedAt: iso(r.accepted_at),
    acceptedUserId: r.accepted_user_id,
    revokedAt: iso(r.revoked_at),
  };
}

/** The invitation row, or NOT_FOUND. */
export async function loadInvitation(w: OrgWrite, id: string): Promise<InvitationRow> {
  const row = await w.trx
    .selectFrom('invitations')
    .selectAll()
    .where('org_id', '=', w.orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound(`invitation ${id}`);
  return row;
}

/** M2: an org's invitations, filtered by status. */
import type { OrgCall } from '../call.js';
import { notFound } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import { clock, type InvitationStatus, type InvitationView, invitationView } from './rows.js';

/** Filters of `listInvitations`. */
export interface ListInvitationsInput {
  /** Invitations into this scope and below; default the whole org. */
  readonly scopeId?: string | undefined;
  readonly status?: InvitationStatus | undefined;
  /** Case-insensitive part of the email. */
  readonly email?: string | undefined;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string | undefined;
  readonly limit?: number | undefined;
}

/**
 * M2 / T6: invitations newest first, keyset-paginated by id; needs `members.read` at the scope
 * (an org-wide admin sees all, a scope's admin asks for its scope).
 */
export async function listInvitations(
  call: OrgCall,
  input: ListInvitationsInput = {},
): Promise<{ items: InvitationView[]; nextCursor: string | null }> {
  const { orgId, services: s } = call;
  const scopeId = input.scopeId ?? orgId;
  const engine = await authorizeRead(call, 'members.read', scopeId);
  if (!engine.hasScope(scopeId)) throw notFound(`scope ${scopeId}`);
  const now = clock(s);
  const limit = input.limit ?? 100;
  let q = s.db
    .selectFrom('invitations')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (scopeId !== orgId) q = q.where('scope_id', 'in', engine.scopesBelow(scopeId));
  switch (input.status) {
    case 'pending':
      q = q.where('status', '=', 'pending').where('expires_at', '>', now);
      break;
    case 'expired':
      q = q.where('status', '=', 'pending').where('expires_at', '<=', now);
      break;
    case 'accepted':
    case 'revoked':
      q = q.where('status', '=', input.status);
      break;
  }
  if (input.email) {
    const pattern = `%${input.email.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where('email_lower', 'like', pattern);
  }
  if (input.cursor) q = q.where('id', '<', input.cursor);
  const rows = await q.execute();
  const items = rows.slice(0, limit).map((r) => invitationView(r, now));
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}

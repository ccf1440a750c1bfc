/**
 * Invitations by email (M1–M3). An invitation names an email, the scope the person is invited
 * into and the roles they get; inviting needs `members.invite` there and the right to give each
 * role (R6), so nobody invites above themselves. The one-time link's token is random, shown only
 * in the email (queued in the same transaction, the token encrypted until sent) and stored as a
 * hash. Accepting is public: the
 * token is the credential (`accept-invitation.ts`).
 *
 * Decisions: an active member may be invited again to get roles they do not hold yet (for
 * example into a sub-organization, seed 004), but inviting them to roles they already hold, or to
 * a role whose exclusive slot they already fill there, is a CONFLICT (change their roles
 * instead). A deactivated member is refused (reactivate them instead), when inviting and when
 * accepting. One pending invitation per email and scope: inviting again is a CONFLICT naming the
 * pending one (resend it). Expiry: the org setting `invitationTtlDays` (default 7).
 *
 * Inviting, resending and revoking change nothing the engine reads (only accepting does), so they
 * are `orgEventWrite`s: ordered by the org lock, audited and evented, the revision left alone.
 */
import { type InvitationRole, type InvitationRow, newId, sql } from '@gatehouse/db';
import { type Caller, principalId } from '../context.js';
import { cancelEmails, queueEmail } from '../emails.js';
import { conflict, invalid, notFound } from '../errors.js';
import { invitationEmail, invitationLink } from '../invitation-email.js';
import { authorizeRead } from '../org-read.js';
import { type OrgWrite, orgEventWrite, type WriteResult } from '../org-write.js';
import { instanceSecretKey, type SecretKey } from '../secret-box.js';
import { hashSecret, newSecret } from '../secrets.js';
import type { Services } from '../services.js';
import { assertNoSlotClash, type RoleAt } from './grants.js';
import {
  clock,
  type InvitationStatus,
  type InvitationView,
  invitationView,
  loadInvitation,
} from './invitation-rows.js';
import { normalizeEmail } from './people.js';

export type { InvitationStatus, InvitationView } from './invitation-rows.js';
export { invitationView } from './invitation-rows.js';

/** Days an invitation link stays valid unless the org setting `invitationTtlDays` says otherwise. */
export const DEFAULT_INVITATION_TTL_DAYS = 7;
const DAY_MS = 86_400_000;

/** Input of `inviteMember`. */
export interface InviteMemberInput {
  readonly email: string;
  /** Suggested name for a new user (the person may give their own when accepting). */
  readonly name?: string | undefined;
  /** The scope the person is invited into; default the organization (M1). */
  readonly scopeId?: string | undefined;
  /**
   * Roles given on acceptance, each at the invitation's scope unless it names one below it.
   * None: the preset's default role for that scope's kind (M1).
   */
  readonly roles?: readonly RoleAt[] | undefined;
}

/**
 * M1: invites a person by email into the org or one scope, and queues the email with the
 * one-time link.
 *
 * @example
 * const { result } = await inviteMember(s, caller, orgId, { email: 'ana@acme.test' });
 * result.status; // 'pending'; the link is in the email only
 */
export async function inviteMember(
  s: Services,
  caller: Caller,
  orgId: string,
  input: InviteMemberInput,
): Promise<WriteResult<InvitationView>> {
  const key = await instanceSecretKey(s.db, s.options?.secretKey);
  return orgEventWrite(s, caller, orgId, async (w) => {
    const now = clock(s);
    const scopeId = input.scopeId ?? orgId;
    if (!w.engine.hasScope(scopeId)) throw notFound(`scope ${scopeId}`);
    w.authorize('members.invite', scopeId);
    const { email, lower } = normalizeEmail(input.email);
    const roles = rolesFor(w, scopeId, input.roles);
    assertNoSlotClash(w, roles);
    for (const r of roles) w.authorizeAssign(r);
    await assertInvitable(w, { email, lower, scopeId, roles, now });
    const ttlMs = await ttlOf(w);
    const token = newSecret();
    const row = await w.trx
      .insertInto('invitations')
      .values({
        org_id: orgId,
        id: newId('invitation'),
        email,
        email_lower: lower,
        name: input.name?.trim() || null,
        scope_id: scopeId,
        roles: JSON.stringify(roles),
        status: 'pending',
        token_hash: hashSecret(token),
        expires_at: new Date(now.getTime() + ttlMs),
        invited_by: caller.onBehalfOf ?? principalId(caller.principal),
        created_at: now,
        last_sent_at: now,
        accepted_at: null,
        accepted_user_id: null,
        revoked_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await sendInvitationEmail(s, w, { row, token, key, resent: false });
    const view = invitationView(row, now);
    w.audit({
      action: 'Invited',
      entityType: 'invitation',
      entityId: row.id,
      scopeId,
      after: { email, scopeId, roles, expiresAt: view.expiresAt },
    });
    w.emit('invitation.created', {
      invitationId: row.id,
      email,
      scopeId,
      roles,
      expiresAt: view.expiresAt,
    });
    return view;
  });
}

/** The roles to give, each at a scope within the invitation's scope; defaults per M1. */
function rolesFor(
  w: OrgWrite,
  scopeId: string,
  given: readonly RoleAt[] | undefined,
): InvitationRole[] {
  if (given?.length) {
    const within = new Set(w.engine.scopesBelow(scopeId));
    return given.map((r) => {
      const at = r.scopeId ?? scopeId;
      if (!within.has(at)) {
        throw invalid(
          `role ${r.role} is given at ${at}, outside the invitation's scope ${scopeId}`,
        );
      }
      const environment = r.environment ?? null;
      if (environment !== null && !w.preset.environments) {
        throw invalid(`the ${w.preset.key} preset has no environments; omit "environment"`);
      }
      return { role: r.role, scopeId: at, environment };
    });
  }
  const kind = w.engine.snapshot.scopes.find((x) => x.id === scopeId)!.kind;
  const role = w.preset.defaultRoles[kind];
  if (!role) {
    throw invalid(
      `the ${w.preset.key} preset has no default role for a ${kind}; name the roles to give`,
    );
  }
  return [{ role, scopeId, environment: null }];
}

/** Refuses deactivated members, roles already held, and a second pending invitation. */
async function assertInvitable(
  w: OrgWrite,
  q: { email: string; lower: string; scopeId: string; roles: InvitationRole[]; now: Date },
): Promise<void> {
  const member = await w.trx
    .selectFrom('users')
    .innerJoin('members', 'members.user_id', 'users.id')
    .select(['users.id', 'members.status'])
    .where('users.email_lower', '=', q.lower)
    .where('members.org_id', '=', w.orgId)
    .executeTakeFirst();
  if (member?.status === 'deactivated') {
    throw conflict(
      `${q.email} is a deactivated member of this organization; reactivate them instead of inviting`,
      { userId: member.id },
    );
  }
  if (member) {
    const held = await w.trx
      .selectFrom('assignments')
      .select(['role_key', 'scope_id', 'environment'])
      .where('org_id', '=', w.orgId)
      .where('subject_id', '=', member.id)
      .execute();
    const missing = q.roles.filter(
      (r) =>
        !held.some(
          (a) =>
            a.role_key === r.role && a.scope_id === r.scopeId && a.environment === r.environment,
        ),
    );
    if (missing.length === 0) {
      throw conflict(`${q.email} is already a member with these roles`, { userId: member.id });
    }
    for (const r of missing) {
      const clash = w.engine.slotConflicts({
        subject: member.id,
        role: r.role,
        scope: r.scopeId,
        environment: r.environment,
      })[0];
      if (clash) {
        throw conflict(
          `${q.email} already holds ${clash.roleKey} at ${r.scopeId}, in the same exclusive slot as ${r.role}; change their roles instead of inviting`,
          { userId: member.id, conflictingAssignmentId: clash.id },
        );
      }
    }
  }
  const pending = await w.trx
    .selectFrom('invitations')
    .select('id')
    .where('org_id', '=', w.orgId)
    .where('email_lower', '=', q.lower)
    .where('scope_id', '=', q.scopeId)
    .where('status', '=', 'pending')
    .where('expires_at', '>', q.now)
    .executeTakeFirst();
  if (pending) {
    throw conflict(
      `${q.email} already has a pending invitation to ${q.scopeId} (${pending.id}); resend or revoke it`,
      { invitationId: pending.id },
    );
  }
}

/** The org's invitation lifetime: setting `invitationTtlDays` (a positive number, at most 365). */
async function ttlOf(w: OrgWrite): Promise<number> {
  const org = await w.trx
    .selectFrom('orgs')
    .select('settings')
    .where('id', '=', w.orgId)
    .executeTakeFirstOrThrow();
  const days = org.settings.invitationTtlDays ?? DEFAULT_INVITATION_TTL_DAYS;
  if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0 || days > 365) {
    throw invalid(
      `the organization setting invitationTtlDays must be a number of days above 0 and at most 365, not ${JSON.stringify(days)}`,
    );
  }
  return days * DAY_MS;
}

function publicUrlOf(s: Services): string {
  const u = s.options?.publicUrl;
  return (typeof u === 'function' ? u() : u) ?? 'http://127.0.0.1:4000';
}

/**
 * Queues the email carrying the link with `token`, in the write's transaction: the token is
 * sealed under the instance key until the email is sent, and erased when the link expires.
 */
async function sendInvitationEmail(
  s: Services,
  w: OrgWrite,
  m: { row: InvitationRow; token: string; key: SecretKey; resent: boolean },
): Promise<void> {
  const { row } = m;
  const scopes = w.engine.snapshot.scopes;
  const orgName = scopes.find((x) => x.id === w.orgId)?.name ?? w.orgId;
  const scopeName =
    row.scope_id === w.orgId ? undefined : scopes.find((x) => x.id === row.scope_id)?.name;
  const expiresAt = new Date(row.expires_at);
  const mail = invitationEmail({
    orgName,
    scopeName,
    roleNames: row.roles.map((r) => w.engine.role(r.role)?.name ?? r.role),
    link: invitationLink(publicUrlOf(s), m.token),
    expiresAt,
    resent: m.resent,
  });
  await queueEmail(
    w.trx,
    {
      orgId: w.orgId,
      to: row.email,
      ...mail,
      kind: 'invitation',
      refId: row.id,
      secret: { value: m.token, expiresAt },
    },
    m.key,
  );
}
/** Where rights over an invitation are checked: its scope, or the root if the scope is gone. */
const scopeOf = (w: OrgWrite, row: InvitationRow) =>
  w.engine.hasScope(row.scope_id) ? row.scope_id : w.orgId;

/**
 * M2: sends a new one-time link with a fresh expiry (also for an expired invitation); the old
 * link stops working at once and its unsent email is cancelled. The roles are re-checked (R6)
 * against whoever resends.
 */
export async function resendInvitation(
  s: Services,
  caller: Caller,
  orgId: string,
  invitationId: string,
): Promise<WriteResult<InvitationView>> {
  const key = await instanceSecretKey(s.db, s.options?.secretKey);
  return orgEventWrite(s, caller, orgId, async (w) => {
    const now = clock(s);
    const before = await loadInvitation(w, invitationId);
    w.authorize('members.invite', scopeOf(w, before));
    if (before.status !== 'pending') {
      throw invalid(`invitation ${invitationId} was ${before.status}; it cannot be resent`);
    }
    for (const r of before.roles) w.authorizeAssign(r);
    const token = newSecret();
    const ttlMs = await ttlOf(w);
    const row = await w.trx
      .updateTable('invitations')
      .set((eb) => ({
        token_hash: hashSecret(token),
        replaced_token_hashes: sql<
          string[]
        >`array_append(${eb.ref('replaced_token_hashes')}, ${before.token_hash})`,
        expires_at: new Date(now.getTime() + ttlMs),
        last_sent_at: now,
        resend_count: eb('resend_count', '+', 1),
      }))
      .where('org_id', '=', orgId)
      .where('id', '=', invitationId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await cancelEmails(w.trx, invitationId);
    await sendInvitationEmail(s, w, { row, token, key, resent: true });
    const view = invitationView(row, now);
    w.audit({
      action: 'InvitationResent',
      entityType: 'invitation',
      entityId: invitationId,
      scopeId: before.scope_id,
      before: { expiresAt: new Date(before.expires_at).toISOString() },
      after: { expiresAt: view.expiresAt, resendCount: view.resendCount },
    });
    w.emit('invitation.resent', {
      invitationId,
      email: row.email,
      expiresAt: view.expiresAt,
    });
    return view;
  });
}

/** M2: revokes a pending (or expired) invitation: its link stops working. Idempotent. */
export async function revokeInvitation(
  s: Services,
  caller: Caller,
  orgId: string,
  invitationId: string,
): Promise<WriteResult<InvitationView>> {
  return orgEventWrite(s, caller, orgId, async (w) => {
    const now = clock(s);
    const before = await loadInvitation(w, invitationId);
    w.authorize('members.invite', scopeOf(w, before));
    if (before.status === 'revoked') return invitationView(before, now);
    if (before.status === 'accepted') {
      throw invalid(
        `invitation ${invitationId} was already accepted; remove the member instead of revoking it`,
      );
    }
    const row = await w.trx
      .updateTable('invitations')
      .set({ status: 'revoked', revoked_at: now })
      .where('org_id', '=', orgId)
      .where('id', '=', invitationId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await cancelEmails(w.trx, invitationId);
    w.audit({
      action: 'InvitationRevoked',
      entityType: 'invitation',
      entityId: invitationId,
      scopeId: before.scope_id,
      before: { status: invitationView(before, now).status },
      after: { status: 'revoked' },
    });
    w.emit('invitation.revoked', { invitationId, email: row.email });
    return invitationView(row, now);
  });
}

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
  s: Services,
  caller: Caller,
  orgId: string,
  input: ListInvitationsInput = {},
): Promise<{ items: InvitationView[]; nextCursor: string | null }> {
  const scopeId = input.scopeId ?? orgId;
  const engine = await authorizeRead(s, caller, orgId, 'members.read', scopeId);
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

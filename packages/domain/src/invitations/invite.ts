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
 * accepting. Where accepting would move a member down (seed 002: a subtenant role ends their
 * organization role), the inviter must be allowed to end that role now (and on every resend).
 * One pending invitation per email and scope: inviting again is a CONFLICT naming the pending
 * one (resend it). Expiry: the org setting `invitationTtlDays` (default 7).
 *
 * Inviting, resending and revoking change nothing the engine reads (only accepting does), so they
 * are `orgEventWrite`s: ordered by the org lock, audited and evented, the revision left alone.
 */

import { type InvitationRole, newId } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { principalId } from '../context.js';
import { assertSignInAllowed } from '../domains/index.js';
import { conflict, invalid, notFound } from '../errors.js';
import { memberByEmail } from '../members/index.js';
import { type OrgWrite, orgEventWrite, type WriteResult } from '../org-write.js';
import {
  assertNoSlotClash,
  authorizeMoveDown,
  hashSecret,
  instanceSecretKey,
  newSecret,
  normalizeEmail,
  type RoleAt,
} from '../rules/index.js';
import { clock, type InvitationView, invitationView } from './rows.js';
import { sendInvitationEmail } from './send-email.js';

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
  call: OrgCall,
  input: InviteMemberInput,
): Promise<WriteResult<InvitationView>> {
  const { services: s, orgId, caller } = call;
  const key = await instanceSecretKey(s.db, s.options?.secretKey);
  return orgEventWrite(call, async (w) => {
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

/**
 * Refuses addresses of a domain the org requires SSO for, deactivated members, roles already
 * held, and a second pending invitation.
 */
async function assertInvitable(
  w: OrgWrite,
  q: { email: string; lower: string; scopeId: string; roles: InvitationRole[]; now: Date },
): Promise<void> {
  // I4: the people of a domain this org requires SSO for come in through its IdP only.
  await assertSignInAllowed(w.trx, { orgId: w.orgId, email: q.lower, method: 'invite' });
  const member = await memberByEmail(w, q.lower);
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
    // Seed 002: accepting will move them down from a role above; the inviter must be able to.
    authorizeMoveDown(w, member.id, missing);
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
export async function ttlOf(w: OrgWrite): Promise<number> {
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

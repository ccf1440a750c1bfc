/**
 * M3: accepting an invitation by its one-time link. Public: the token is the credential. It
 * registers the person if new, makes them a member with the invitation's roles at once (the
 * returned revision answers checks with them, C6) and uses the link up.
 */
import { type InvitationRow, sql } from '@gatehouse/db';
import type { Caller } from '../context.js';
import { assertSignInAllowed } from '../domains/index.js';
import { cancelEmails } from '../emails/index.js';
import { conflict, DomainError, forbidden, invalid } from '../errors.js';
import { memberByEmail } from '../members/index.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import {
  checkPasswordPolicy,
  ensureMember,
  grantRole,
  hashPassword,
  hashSecret,
} from '../rules/index.js';
import type { Services } from '../services.js';
import { clock, type InvitationView, invitationView, loadInvitation } from './rows.js';

/** Input of `acceptInvitation`: the link's token, and who the person is if new. */
export interface AcceptInvitationInput {
  readonly token: string;
  /** The person's name (new users; or a user who has none yet). */
  readonly name?: string | undefined;
  /**
   * A new user's password (required for new users when the deployment uses passwords). Never
   * accepted for a user who already exists: an existing user joins by signing in, and a link
   * sent to an address must not become a way to set that account's credentials.
   */
  readonly password?: string | undefined;
}

/** The outcome of accepting. */
export interface AcceptedInvitation {
  readonly invitation: InvitationView;
  readonly orgId: string;
  readonly userId: string;
  /** True when accepting registered a new user. */
  readonly createdUser: boolean;
}

/**
 * M3: accepts an invitation by its one-time token (public: the token is the credential).
 * Registers the person if new, adds them to the org with the invitation's roles and marks the
 * link used; the returned revision answers checks with the new roles (C6). A used, revoked,
 * replaced or expired link, or a deactivated member, gets a clear error and changes nothing.
 *
 * @example
 * const { result, revision } = await acceptInvitation(s, { token, name: 'Ana' });
 * await authz.check(s, caller, result.orgId, { subject: result.userId, permission, scope }, revision);
 */
export async function acceptInvitation(
  s: Services,
  input: AcceptInvitationInput,
  opts: { requestId?: string | undefined } = {},
): Promise<WriteResult<AcceptedInvitation>> {
  const tokenHash = hashSecret(input.token);
  const found = await findByToken(s, tokenHash);
  assertAcceptable(found, clock(s));
  // I4: an org requiring SSO for the invitee's verified domain lets them in through SSO only.
  const ssoOnly = { orgId: found.org_id, email: found.email_lower, method: 'invitation' } as const;
  await assertSignInAllowed(s.db, ssoOnly);
  const user = await s.db
    .selectFrom('users')
    .select(['id', 'password_hash'])
    .where('email_lower', '=', found.email_lower)
    .executeTakeFirst();
  // Hash before the transaction: scrypt is deliberately slow and must not hold the org lock.
  let passwordHash: string | null = null;
  if (user) {
    if (input.password !== undefined) {
      throw invalid(
        'an account with this email already exists; accepting an invitation never sets its password (leave the password out and sign in as that account)',
      );
    }
  } else if (input.password !== undefined) {
    checkPasswordPolicy(input.password, { email: found.email });
    passwordHash = await hashPassword(input.password);
  } else if (s.options?.passwords) {
    throw invalid('choose a password: this Gatehouse signs people in with passwords');
  }
  const caller: Caller = {
    principal: { kind: 'system' },
    source: 'api',
    requestId: opts.requestId,
  };
  return orgWrite({ services: s, caller, orgId: found.org_id }, async (w) => {
    const now = clock(s);
    const row = await loadInvitation(w, found.id);
    if (row.token_hash !== tokenHash) throw replacedLink();
    assertAcceptable(row, now);
    await assertSignInAllowed(w.trx, ssoOnly);
    const existing = await memberByEmail(w, row.email_lower);
    if (existing?.status === 'deactivated') {
      throw forbidden(
        'your membership in this organization is deactivated; ask an administrator to reactivate it',
      );
    }
    for (const r of row.roles) {
      const clash =
        existing &&
        w.engine.slotConflicts({
          subject: existing.id,
          role: r.role,
          scope: r.scopeId,
          environment: r.environment,
        })[0];
      if (clash) {
        throw conflict(
          `you already hold ${clash.roleKey} at ${r.scopeId}, in the same exclusive slot as ${r.role}; ask an administrator to change your role instead`,
          { conflictingAssignmentId: clash.id },
        );
      }
      if (!w.engine.hasScope(r.scopeId)) {
        throw invalid(
          `this invitation can no longer be accepted: the scope it was for (${r.scopeId}) was deleted; ask for a new invitation`,
        );
      }
      if (!w.engine.role(r.role)) {
        throw invalid(
          `this invitation can no longer be accepted: the role ${r.role} no longer exists; ask for a new invitation`,
        );
      }
    }
    const name = input.name?.trim() || row.name;
    const member = await ensureMember(w, row.email, name);
    // The user was created after the check above (a race): do not set its password either.
    if (passwordHash && !member.createdUser) throw conflictingAccount();
    if (passwordHash || (name && !member.createdUser)) {
      await w.trx
        .updateTable('users')
        .set((eb) => ({
          ...(passwordHash
            ? { password_hash: eb.fn.coalesce('password_hash', eb.val(passwordHash)) }
            : {}),
          ...(name ? { name: eb.fn.coalesce('name', eb.val(name)) } : {}),
          updated_at: now,
        }))
        .where('id', '=', member.id)
        .execute();
    }
    // The roles were authorized when the invitation was made (R6); the system grants them now.
    for (const r of row.roles) await grantRole(w, { id: member.id, type: 'user' }, r);
    const accepted = await w.trx
      .updateTable('invitations')
      .set({ status: 'accepted', accepted_at: now, accepted_user_id: member.id })
      .where('org_id', '=', w.orgId)
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await cancelEmails(w.trx, row.id);
    w.audit({
      action: 'InvitationAccepted',
      entityType: 'invitation',
      entityId: row.id,
      scopeId: row.scope_id,
      before: { status: 'pending' },
      after: { status: 'accepted', userId: member.id, createdUser: member.createdUser },
    });
    w.emit('invitation.accepted', {
      invitationId: row.id,
      userId: member.id,
      email: row.email,
      createdUser: member.createdUser,
    });
    return {
      invitation: invitationView(accepted, now),
      orgId: w.orgId,
      userId: member.id,
      createdUser: member.createdUser,
    };
  });
}

const conflictingAccount = () =>
  conflict(
    'an account with this email was created meanwhile; accept the invitation again without a password and sign in as that account',
  );

const replacedLink = () =>
  invalid(
    'this invitation link was replaced by a newer one (the invitation was resent); use the link in the most recent email',
  );

/** The invitation a link's token hash names (a replaced link or an unknown one: a clear error). */
export async function findByToken(s: Services, tokenHash: string): Promise<InvitationRow> {
  const row = await s.db
    .selectFrom('invitations')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (row) return row;
  const replaced = await s.db
    .selectFrom('invitations')
    .select('id')
    .where(sql<boolean>`replaced_token_hashes @> array[${tokenHash}]::text[]`)
    .executeTakeFirst();
  if (replaced) throw replacedLink();
  throw new DomainError(
    'NOT_FOUND',
    'this invitation link is not valid; check that it was copied whole',
  );
}

/** Throws the clear error for a used, revoked or expired invitation. */
export function assertAcceptable(row: InvitationRow, now: Date): void {
  if (row.status === 'accepted') {
    throw invalid('this invitation link has already been used; sign in instead');
  }
  if (row.status === 'revoked') throw invalid('this invitation was revoked');
  if (new Date(row.expires_at).getTime() <= now.getTime()) {
    throw invalid('this invitation link has expired; ask for a new invitation');
  }
}

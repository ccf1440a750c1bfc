/** Users and org membership, shared by the member, invitation and SCIM use cases. */
import { newId } from '@gatehouse/db';
import { invalid } from '../errors.js';
import type { OrgWrite } from '../org-write.js';

/** A pragmatic email check: one @, no spaces, a dot in the domain. */
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Lower-cased, trimmed email, or an INVALID error. */
export function normalizeEmail(email: string): { email: string; lower: string } {
  const trimmed = email.trim();
  if (!EMAIL_RE.test(trimmed) || trimmed.length > 320) {
    throw invalid(`"${email}" is not a valid email address`);
  }
  return { email: trimmed, lower: trimmed.toLowerCase() };
}

/** A user as stored, with whether this write created them. */
export interface EnsuredUser {
  readonly id: string;
  readonly email: string;
  readonly createdUser: boolean;
  readonly addedToOrg: boolean;
}

/**
 * Finds the user by email (case-insensitive) or creates them, and makes them an active member
 * of the org if they are not one yet. Audited.
 */
export async function ensureMember(
  w: OrgWrite,
  rawEmail: string,
  name?: string | null,
): Promise<EnsuredUser> {
  const { email, lower } = normalizeEmail(rawEmail);
  let user = await w.trx
    .selectFrom('users')
    .select(['id', 'email'])
    .where('email_lower', '=', lower)
    .executeTakeFirst();
  let createdUser = false;
  if (!user) {
    const id = newId('user');
    // ON CONFLICT keeps two concurrent creations of one email from failing: the loser re-reads.
    await w.trx
      .insertInto('users')
      .values({
        id,
        email,
        email_lower: lower,
        name: name ?? null,
        password_hash: null,
        last_login_at: null,
        updated_at: new Date(),
      })
      .onConflict((oc) => oc.column('email_lower').doNothing())
      .execute();
    user = await w.trx
      .selectFrom('users')
      .select(['id', 'email'])
      .where('email_lower', '=', lower)
      .executeTakeFirstOrThrow();
    createdUser = user.id === id;
    if (createdUser) {
      w.audit({
        action: 'Created',
        entityType: 'user',
        entityId: id,
        after: { email, name: name ?? null },
      });
    }
  }
  const inserted = await w.trx
    .insertInto('members')
    .values({
      org_id: w.orgId,
      user_id: user.id,
      status: 'active',
      external_id: null,
      updated_at: new Date(),
    })
    .onConflict((oc) => oc.columns(['org_id', 'user_id']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  if (inserted) {
    w.audit({
      action: 'MemberAdded',
      entityType: 'member',
      entityId: user.id,
      scopeId: w.orgId,
      after: { email: user.email },
    });
    w.emit('member.added', { userId: user.id, email: user.email });
  }
  return { id: user.id, email: user.email, createdUser, addedToOrg: Boolean(inserted) };
}

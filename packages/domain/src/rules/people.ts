/** Users and org membership, shared by the member, invitation and SCIM use cases. */
import { newId, sql } from '@gatehouse/db';
import { invalid } from '../errors.js';
import type { OrgWrite } from '../org-write.js';
import { grantRole } from './grants.js';

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
  const user = await ensureUser(w, rawEmail, name);
  const addedToOrg = await joinOrg(w, user);
  return { ...user, addedToOrg };
}

/** A user as stored, with whether this write created them (`ensureUser`). */
export type FoundUser = Omit<EnsuredUser, 'addedToOrg'>;

/**
 * Finds the user by email (case-insensitive) or creates them (audited), without touching the
 * org's members: `ensureMember` without `joinOrg`, for a caller that inserts the member row its
 * own way (SCIM provisioning writes its directory columns in the same insert, issue 15).
 */
export async function ensureUser(
  w: OrgWrite,
  rawEmail: string,
  name?: string | null,
): Promise<FoundUser> {
  const { email, lower } = normalizeEmail(rawEmail);
  const id = newId('user');
  // Issue 15: one statement finds the user or creates them. ON CONFLICT keeps two concurrent
  // creations of one email from failing; the loser finds no row in its statement's snapshot
  // (the winner committed after it began) and re-reads below.
  const { rows } = await sql<{ id: string; email: string; created: boolean }>`
    with created as (
      insert into users (id, email, email_lower, name, password_hash, last_login_at, updated_at)
      values (${id}, ${email}, ${lower}, ${name ?? null}, null, null, ${new Date()})
      on conflict (email_lower) do nothing
      returning id, email, true as created)
    select id, email, created from created
    union all
    select id, email, false from users where email_lower = ${lower}
    limit 1`.execute(w.trx);
  const user =
    rows[0] ??
    (await w.trx
      .selectFrom('users')
      .select(['id', 'email', sql<boolean>`false`.as('created')])
      .where('email_lower', '=', lower)
      .executeTakeFirstOrThrow());
  const createdUser = user.created === true;
  if (createdUser) {
    w.audit({
      action: 'Created',
      entityType: 'user',
      entityId: id,
      after: { email, name: name ?? null },
    });
  }
  return { id: user.id, email: user.email, createdUser };
}

/**
 * Makes an existing user an active member of the org unless they are one (audited, evented);
 * true when this write added them. A member row that exists is left as it is, deactivated too.
 */
export async function joinOrg(
  w: OrgWrite,
  user: { readonly id: string; readonly email: string },
): Promise<boolean> {
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
  if (inserted) noteMemberAdded(w, user);
  return Boolean(inserted);
}

/** Audits and announces a member row this write inserted (`joinOrg`, SCIM provisioning). */
export function noteMemberAdded(
  w: OrgWrite,
  user: { readonly id: string; readonly email: string },
): void {
  w.audit({
    action: 'MemberAdded',
    entityType: 'member',
    entityId: user.id,
    scopeId: w.orgId,
    after: { email: user.email },
  });
  w.emit('member.added', { userId: user.id, email: user.email });
}

/**
 * Grants the role a newcomer gets (M1): `role` at `scopeId` when given (an SSO connection's
 * own default), else the preset's default role for the kind of scope it joins at (the root).
 * Checked like any grant of the write (an unknown role or a role not allowed there is INVALID).
 */
export async function grantDefaultRole(
  w: OrgWrite,
  userId: string,
  at: { readonly role?: string | null; readonly scopeId?: string | null } = {},
): Promise<string | null> {
  const scopeId = at.scopeId ?? w.orgId;
  const kind = w.engine.snapshot.scopes.find((x) => x.id === scopeId)?.kind ?? w.preset.rootKind;
  const role = at.role ?? w.preset.defaultRoles[kind] ?? null;
  if (!role) return null;
  await grantRole(w, { id: userId, type: 'user' }, { role, scopeId });
  return role;
}

/**
 * Takes a new email and name an identity source (a SCIM directory, an SSO connection) says a user
 * has, only when this org is the user's only one: one org's directory or IdP never renames a
 * person another org also knows. Audited as an `Updated` user; true when something changed.
 */
export async function updateProfileWhereSoleOrg(
  w: OrgWrite,
  userId: string,
  profile: { readonly email: string; readonly name: string | null },
): Promise<boolean> {
  const { email, lower } = normalizeEmail(profile.email);
  const user = await w.trx
    .selectFrom('users')
    .select(['email', 'name'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  if (user.email === email && user.name === profile.name) return false;
  const orgs = await w.trx
    .selectFrom('members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  if (Number(orgs.n) !== 1) return false;
  await w.trx
    .updateTable('users')
    .set({ email, email_lower: lower, name: profile.name, updated_at: new Date() })
    .where('id', '=', userId)
    .execute();
  w.audit({
    action: 'Updated',
    entityType: 'user',
    entityId: userId,
    before: { email: user.email, name: user.name },
    after: { email, name: profile.name },
  });
  return true;
}

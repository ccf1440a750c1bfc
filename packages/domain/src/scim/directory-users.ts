/**
 * The SCIM directory's users (S1, S3, S5): members the org's identity provider provisioned (or
 * adopted: an existing member with the same email). Each change is one `orgWrite`, audited with
 * the caller's source (`scim`) and announced in the outbox. The SCIM document itself is opaque
 * here; the SCIM app maps it to these inputs.
 */

import { type Database, type DB, sql, type Transaction } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { conflict, isUniqueViolation, notFound } from '../errors.js';
import { applyMemberStatus, removeMemberIn } from '../members/index.js';
import { type OrgWrite, orgWrite, type WriteResult } from '../org-write.js';
import { ensureUser, grantDefaultRole, updateProfileWhereSoleOrg } from '../rules/index.js';
import { joinAsDirectoryUser } from './join-directory-user.js';
import { provisionBatch } from './provision-together.js';
import { DIRECTORY_USER_COLUMNS, summary, toDirectoryUser } from './rows.js';
import type { DirectoryGroupRef } from './user-reads.js';
import { versionColumn } from './version.js';

type Q = DB | Transaction<Database>;

/** What a directory says about one user. */
export interface DirectoryUserInput {
  /** SCIM `userName`: unique per org, case-insensitively. */
  readonly userName: string;
  /** SCIM `externalId`: unique per org when set. */
  readonly externalId: string | null;
  /** The Gatehouse email (the primary SCIM email, or an email-shaped userName). */
  readonly email: string;
  /** The Gatehouse display name. */
  readonly name: string | null;
  readonly active: boolean;
  /** The SCIM document to keep, returned as is on reads. */
  readonly doc: Record<string, unknown>;
}

/** A directory user as stored. */
export interface DirectoryUser {
  readonly userId: string;
  readonly userName: string;
  readonly externalId: string | null;
  readonly active: boolean;
  readonly doc: Record<string, unknown>;
  readonly createdAt: Date;
  readonly lastModified: Date;
  /** Changes with every change of the member row: the SCIM `meta.version` (weak ETag). */
  readonly version: string;
  /**
   * Its directory groups, when the write that returned it knows them without a read (a member
   * that write added belongs to none); else undefined, and readers ask `directoryUserGroups`.
   */
  readonly groups?: readonly DirectoryGroupRef[];
}

/** Details of a CONFLICT: a taken unique value, or a version that no longer matches. */
export type DirectoryConflict =
  | { readonly reason: 'uniqueness'; readonly field: string }
  | { readonly reason: 'version_mismatch'; readonly current: string };

export { versionOf } from './version.js';

/** The member as a directory user, or undefined when absent or not directory-managed. */
export async function loadDirectoryUser(
  db: Q,
  orgId: string,
  userId: string,
): Promise<DirectoryUser | undefined> {
  const row = await db
    .selectFrom('members')
    .select([...DIRECTORY_USER_COLUMNS, versionColumn().as('micros')])
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('scim_user_name', 'is not', null)
    .executeTakeFirst();
  return row ? toDirectoryUser(row) : undefined;
}

function uniquenessConflict(field: string, value: string): never {
  throw conflict(`${field} "${value}" is already in use in this organization`, {
    reason: 'uniqueness',
    field,
  } satisfies DirectoryConflict);
}

/** Refuses a userName or externalId another member of the org already has. */
async function assertUnique(
  w: OrgWrite,
  input: Pick<DirectoryUserInput, 'userName' | 'externalId'>,
  exceptUserId?: string,
): Promise<void> {
  let q = w.trx
    .selectFrom('members')
    .select(['user_id', 'scim_user_name', 'external_id'])
    .where('org_id', '=', w.orgId)
    .where((eb) => {
      const byName = eb(sql`lower(scim_user_name)`, '=', sql<string>`lower(${input.userName})`);
      return input.externalId === null
        ? byName
        : eb.or([byName, eb('external_id', '=', input.externalId)]);
    });
  if (exceptUserId) q = q.where('user_id', '!=', exceptUserId);
  const taken = await q.executeTakeFirst();
  if (!taken) return;
  if (taken.scim_user_name?.toLowerCase() === input.userName.toLowerCase()) {
    uniquenessConflict('userName', input.userName);
  }
  uniquenessConflict('externalId', input.externalId ?? '');
}

function assertVersion(cur: DirectoryUser, ifVersion: string | undefined): void {
  if (ifVersion !== undefined && cur.version !== ifVersion) {
    throw conflict(`user ${cur.userId} has changed (version ${cur.version})`, {
      reason: 'version_mismatch',
      current: cur.version,
    } satisfies DirectoryConflict);
  }
}

/**
 * Unique violations become CONFLICTs: a new member's taken userName or externalId (its insert is
 * the check), and those that slip past `assertUnique` (two requests at once).
 */
async function mapUnique<T>(run: () => Promise<T>, input: DirectoryUserInput): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const constraint = String((e as { constraint?: unknown }).constraint ?? '');
    if (constraint.includes('external_id'))
      uniquenessConflict('externalId', input.externalId ?? '');
    if (constraint.includes('email')) uniquenessConflict('email', input.email);
    uniquenessConflict('userName', input.userName);
  }
}

/** Writes the directory's columns of a member and returns it as a directory user. */
async function writeScimColumns(
  w: OrgWrite,
  userId: string,
  input: DirectoryUserInput,
): Promise<DirectoryUser> {
  const row = await w.trx
    .updateTable('members')
    .set({
      scim_user_name: input.userName,
      external_id: input.externalId,
      scim_doc: JSON.stringify(input.doc),
      updated_at: sql<Date>`clock_timestamp()`,
    })
    .where('org_id', '=', w.orgId)
    .where('user_id', '=', userId)
    .returning([...DIRECTORY_USER_COLUMNS, versionColumn().as('micros')])
    .executeTakeFirstOrThrow();
  return toDirectoryUser(row);
}

/** Refuses to adopt a member another directory user of the org already is. */
async function assertNotProvisioned(w: OrgWrite, user: { id: string; email: string }) {
  const member = await w.trx
    .selectFrom('members')
    .select('scim_user_name')
    .where('org_id', '=', w.orgId)
    .where('user_id', '=', user.id)
    .executeTakeFirstOrThrow();
  if (member.scim_user_name !== null) {
    throw conflict(
      `${user.email} is already provisioned in this organization as userName "${member.scim_user_name}"`,
      { reason: 'uniqueness', field: 'emails' } satisfies DirectoryConflict,
    );
  }
}

/**
 * S1: provisions a user: finds or creates the Gatehouse user by email, makes them a member with
 * the preset's default role at the root (M1), or adopts an existing member with that email
 * (keeping their roles). A second directory user with the same email is a CONFLICT.
 */
export async function provisionDirectoryUser(
  call: OrgCall,
  input: DirectoryUserInput,
): Promise<WriteResult<DirectoryUser>> {
  const { orgId } = call;
  return mapUnique(
    () =>
      orgWrite(
        call,
        async (w) => {
          w.authorize('members.invite', orgId);
          const user = await ensureUser(w, input.email, input.name);
          // Issue 15: a new member row is inserted with its directory columns (one statement). A
          // userName or externalId another member has fails that insert on the same unique
          // indexes, and mapUnique makes it the same CONFLICT as assertUnique (the write, the
          // user it created included, is rolled back). A member row that existed is adopted: its
          // checks run as before.
          const joined = await joinAsDirectoryUser(w, user, input);
          const addedToOrg = joined !== undefined;
          if (!addedToOrg) {
            await assertUnique(w, input);
            await assertNotProvisioned(w, user);
          }
          if (addedToOrg) await grantDefaultRole(w, user.id);
          // A member this write added is active: only a deactivation has anything to change.
          if (addedToOrg && input.active) w.authorize('members.update', orgId);
          else await applyMemberStatus(w, user.id, input.active ? 'active' : 'deactivated');
          // The columns are written by the insert unless the row existed or its status changed.
          const provisioned =
            joined && input.active ? joined : await writeScimColumns(w, user.id, input);
          w.audit({
            action: addedToOrg ? 'Provisioned' : 'Adopted',
            entityType: 'member',
            entityId: user.id,
            scopeId: orgId,
            after: { ...summary(input), doc: input.doc },
          });
          w.emit('scim.user.provisioned', { userId: user.id, ...summary(input) });
          // Issue 15: a member this write added is in no group (group rows are only added for
          // members, and removing a member deletes its group rows), so its response needs no read.
          return addedToOrg ? { ...provisioned, groups: [] } : provisioned;
        },
        { batch: provisionBatch(input) },
      ),
    input,
  );
}

/**
 * S3: replaces what the directory says about a user (PUT, and PATCH once applied). The
 * Gatehouse user's email and name follow only when this org is their only one: one org's
 * directory never renames a person another org also knows. `active` deactivates or reactivates
 * (S5). `ifVersion` makes it conditional (If-Match).
 */
export async function replaceDirectoryUser(
  call: OrgCall,
  q: { userId: string; input: DirectoryUserInput; ifVersion?: string | undefined },
): Promise<WriteResult<DirectoryUser>> {
  const { orgId } = call;
  const { userId, input } = q;
  return mapUnique(
    () =>
      orgWrite(call, async (w) => {
        w.authorize('members.update', orgId);
        const cur = await loadDirectoryUser(w.trx, orgId, userId);
        if (!cur) throw notFound(`user ${userId}`);
        assertVersion(cur, q.ifVersion);
        await assertUnique(w, input, userId);
        await updateProfileWhereSoleOrg(w, userId, { email: input.email, name: input.name });
        await applyMemberStatus(w, userId, input.active ? 'active' : 'deactivated');
        const replaced = await writeScimColumns(w, userId, input);
        w.audit({
          action: 'Updated',
          entityType: 'member',
          entityId: userId,
          scopeId: orgId,
          before: { ...summary(cur), doc: cur.doc },
          after: { ...summary(input), doc: input.doc },
        });
        w.emit('scim.user.updated', { userId, ...summary(input) });
        return replaced;
      }),
    input,
  );
}

/**
 * S5: DELETE — removes the user from the org (assignments, group memberships, membership);
 * the audit log keeps the history. Refused for the last Owner (INVARIANT).
 */
export async function deprovisionDirectoryUser(
  call: OrgCall,
  q: { userId: string; ifVersion?: string | undefined },
): Promise<WriteResult<{ removed: number }>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    // Checked under the org lock, so a change in between cannot slip past If-Match.
    const cur = await loadDirectoryUser(w.trx, orgId, q.userId);
    if (!cur) throw notFound(`user ${q.userId}`);
    assertVersion(cur, q.ifVersion);
    return removeMemberIn(w, { userId: q.userId });
  });
}

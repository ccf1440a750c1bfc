/**
 * Issue 15: a provisioning's new member row in ONE statement. The row is inserted with its
 * directory columns (userName, externalId, document) already set, instead of inserted bare by
 * `joinOrg` and updated right after: one statement and one journal entry less per provisioned
 * user. A member row that already exists is left as it is (the caller adopts it).
 */
import { sql } from '@gatehouse/db';
import type { OrgWrite } from '../org-write.js';
import { type FoundUser, noteMemberAdded } from '../rules/index.js';
import type { DirectoryUser, DirectoryUserInput } from './directory-users.js';
import { DIRECTORY_USER_COLUMNS, toDirectoryUser } from './rows.js';
import { versionColumn } from './version.js';

/**
 * Makes `user` an active member of the org that is the directory user `input` (audited and
 * announced as `joinOrg` does) and returns it; undefined when they already were a member (the
 * row is left untouched). A taken userName or externalId fails with the unique violation.
 */
export async function joinAsDirectoryUser(
  w: OrgWrite,
  user: FoundUser,
  input: Pick<DirectoryUserInput, 'userName' | 'externalId' | 'doc'>,
): Promise<DirectoryUser | undefined> {
  const row = await w.trx
    .insertInto('members')
    .values({
      org_id: w.orgId,
      user_id: user.id,
      status: 'active',
      scim_user_name: input.userName,
      external_id: input.externalId,
      scim_doc: JSON.stringify(input.doc),
      updated_at: sql<Date>`clock_timestamp()`,
    })
    .onConflict((oc) => oc.columns(['org_id', 'user_id']).doNothing())
    .returning([...DIRECTORY_USER_COLUMNS, versionColumn().as('micros')])
    .executeTakeFirst();
  if (!row) return undefined;
  noteMemberAdded(w, user);
  return toDirectoryUser(row);
}

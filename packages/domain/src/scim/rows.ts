/**
 * Directory rows as the domain's `DirectoryUser` and `DirectoryGroup`: the one mapping used by
 * single loads (`loadDirectoryUser`, `loadDirectoryGroup`) and by the SCIM list reads.
 */
import type { DirectoryGroup } from './directory-groups.js';
import type { DirectoryUser } from './directory-users.js';
import { versionOf } from './version.js';

/** A `members` row of a directory user, with its `versionColumn()` as `micros`. */
export interface DirectoryUserRow {
  readonly user_id: string;
  readonly scim_user_name: string | null;
  readonly external_id: string | null;
  readonly scim_doc: Record<string, unknown> | null;
  readonly status: string;
  readonly created_at: Date | string;
  readonly updated_at: Date | string;
  readonly micros: string;
}

/** The `members` columns a `DirectoryUserRow` holds, besides `micros`. */
export const DIRECTORY_USER_COLUMNS = [
  'user_id',
  'scim_user_name',
  'external_id',
  'scim_doc',
  'status',
  'created_at',
  'updated_at',
] as const;

/** A directory user from its row (the row's `scim_user_name` is set: it is a directory user). */
export function toDirectoryUser(r: DirectoryUserRow): DirectoryUser {
  return {
    userId: r.user_id,
    userName: r.scim_user_name ?? '',
    externalId: r.external_id,
    active: r.status === 'active',
    doc: r.scim_doc ?? {},
    createdAt: new Date(r.created_at),
    lastModified: new Date(r.updated_at),
    version: versionOf(r.micros),
  };
}

/** What audit entries and events say of a directory user (its document aside). */
export function summary(u: Pick<DirectoryUser, 'userName' | 'externalId' | 'active'>) {
  return { userName: u.userName, externalId: u.externalId, active: u.active };
}

/** A `groups` row of a directory group, with its `versionColumn()` as `micros`. */
export interface DirectoryGroupRow {
  readonly id: string;
  readonly name: string;
  readonly external_id: string | null;
  readonly created_at: Date | string;
  readonly updated_at: Date | string;
  readonly micros: string;
}

/** The `groups` columns a `DirectoryGroupRow` holds, besides `micros`. */
export const DIRECTORY_GROUP_COLUMNS = [
  'id',
  'name',
  'external_id',
  'created_at',
  'updated_at',
] as const;

/** A directory group from its row. */
export function toDirectoryGroup(r: DirectoryGroupRow): DirectoryGroup {
  return {
    groupId: r.id,
    displayName: r.name,
    externalId: r.external_id,
    createdAt: new Date(r.created_at),
    lastModified: new Date(r.updated_at),
    version: versionOf(r.micros),
  };
}

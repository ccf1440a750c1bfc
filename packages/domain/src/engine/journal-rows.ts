/**
 * Issue 15: the journal catch-up of a write in ONE statement. The keys changed since a
 * revision and the current rows behind them (scopes, members, groups, clients, memberships,
 * assignments, custom roles) come back together as JSON from the `journal_rows` function
 * (migration 0023, plans cached per connection; since migration 0026 it reads only the kinds of
 * rows that have keys), instead of one statement for the keys and one per kind of row. Rows are
 * mapped by the same `rowMaps` the per-kind readers use.
 */
import type { Assignment, GroupMembership, RoleDef, ScopeNode, SubjectInfo } from '@gatehouse/core';
import { type Database, type DB, type RoleRow, sql, type Transaction } from '@gatehouse/db';
import { roleDef, rowMaps } from './snapshot-loader.js';

type Q = DB | Transaction<Database>;

/** A journal key: which kind of row changed, and its id. */
export interface ChangedKey {
  readonly entity: string;
  readonly key: string;
}

/** The current rows of the changed keys, per kind (undefined: no key of that kind). */
export interface ChangedRows {
  readonly scope?: ScopeNode[];
  readonly member?: SubjectInfo[];
  readonly group?: SubjectInfo[];
  readonly client?: SubjectInfo[];
  readonly membership?: GroupMembership[];
  readonly assignment?: Assignment[];
  readonly role?: RoleDef[];
}

/** What `journalRows` read: the keys, and their rows unless the keys call for a full load. */
export interface JournalRows {
  readonly changes: ChangedKey[];
  readonly rows: ChangedRows;
  /** The highest journal `seq` read (migration 0025); undefined when no entry matched. */
  readonly mark: number | undefined;
}

/**
 * The distinct keys journaled for `orgId` at revision `since` or later (at most `limit` + 1)
 * and, when there are at most `limit` of them and none is an `org` key, the current rows behind
 * them: one statement. Run it in the write's transaction (the rows are read in its snapshot).
 * `after` (an earlier write's `mark` in the same transaction) skips the entries up to it.
 */
export async function journalRows(
  db: Q,
  orgId: string,
  since: number,
  limit: number,
  after?: number,
): Promise<JournalRows> {
  const { rows } = await sql<Record<string, unknown>>`
    select * from journal_rows(${orgId}, ${since}, ${limit}, ${after ?? null}::bigint)`.execute(db);
  const row = rows[0] ?? {};
  const json = <T>(v: unknown): T[] | undefined =>
    v === null || v === undefined
      ? undefined
      : ((typeof v === 'string' ? JSON.parse(v) : v) as T[]);
  const changes = json<ChangedKey>(row.changes) ?? [];
  const kinds = new Set(changes.map((c) => c.entity));
  /** Rows of a kind that has keys (none found is an empty list, as the readers return). */
  const of = <R, T>(kind: string, map: (r: R) => T): T[] | undefined =>
    kinds.has(kind) ? (json<R>(row[kind]) ?? []).map(map) : undefined;
  return {
    changes,
    mark: row.mark === null || row.mark === undefined ? undefined : Number(row.mark),
    rows: {
      scope: of('scope', rowMaps.scope),
      member: of('member', rowMaps.member),
      group: of('group', rowMaps.group),
      client: of('client', rowMaps.client),
      membership: of('membership', rowMaps.membership),
      assignment: of('assignment', rowMaps.assignment),
      role: of('role', (r: RoleRow) => roleDef(r)),
    },
  };
}

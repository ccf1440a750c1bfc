/**
 * Catching an org snapshot up through the snapshot journal (migration 0005): read the keys of
 * the rows that changed since the snapshot's revision, re-read just those rows, and patch them
 * into the snapshot. A write on a 10k-member org then reads a handful of rows instead of the
 * whole org. Falls back to a full load (returns null) when the journal may not cover the gap.
 */
import { type GroupMembership, type OrgSnapshot, patchSnapshot } from '@gatehouse/core';
import { type Database, type DB, sql, type Transaction } from '@gatehouse/db';
import type { PresetStore } from '../rules/index.js';
import { type ChangedKey, journalRows } from './journal-rows.js';
import { loadSnapshot, readers } from './snapshot-loader.js';

type Q = DB | Transaction<Database>;

/** Journal entries are pruned once older than this. */
export const JOURNAL_KEEP_MS = 60 * 60_000;
/** A snapshot read longer ago than this (database clock) is reloaded in full. */
export const JOURNAL_TRUST_MS = 30 * 60_000;
/** Beyond this many changed rows a full load is as cheap; load in full. */
export const MAX_DELTA_KEYS = 20_000;

/** A snapshot and the database time it reflects (for the journal's coverage). */
export interface TimedSnapshot {
  readonly snapshot: OrgSnapshot;
  /** Database clock (ms since epoch) at the start of the transaction that read it. */
  readonly at: number;
  /**
   * Set on a catch-up: ids of the subjects whose row, assignments (before or after) or group
   * memberships (either side) changed, for `deriveEngine`.
   */
  readonly affected?: ReadonlySet<string>;
  /**
   * Set on a write's catch-up: the highest journal `seq` it read (migration 0025), for the next
   * write of the same batch (`CatchUpOptions.after`).
   */
  readonly mark?: number;
}

/** The database clock, in ms since the epoch, at the start of the current transaction. */
export async function databaseNow(db: Q): Promise<number> {
  const { rows } = await sql<{
    ms: number;
  }>`select (extract(epoch from now()) * 1000)::float8 as ms`.execute(db);
  return rows[0]!.ms;
}

/** A full load, timed. Run it in a transaction for a consistent read. */
export async function loadTimed(
  db: Q,
  orgId: string,
  presets: PresetStore,
): Promise<TimedSnapshot> {
  const at = await databaseNow(db);
  return { snapshot: await loadSnapshot(db, orgId, presets), at };
}

/** An org's revision and the database clock (ms since the epoch), as a catch-up needs them. */
export interface JournalHead {
  readonly revision: number;
  readonly ms: number;
}

/** How a catch-up runs inside a write (`catchUp`). */
export interface CatchUpOptions {
  /**
   * Labels the result when the transaction has already bumped the org's revision but not yet
   * written (a write reading its pre-write state).
   */
  readonly asRevision?: number | undefined;
  /**
   * The org's revision and the clock when the caller has read them (a write, in the statement
   * that locked the org); else they are read with the journal's keys, in one statement.
   */
  readonly head?: JournalHead | undefined;
  /**
   * Issue 15 group commit: `base` already carries the revision the transaction commits as (an
   * earlier write of the same batch left it); read the journal at that revision anyway.
   */
  readonly sameRevision?: boolean | undefined;
  /**
   * With `sameRevision`: the `mark` of the catch-up that made `base` in this transaction. Only
   * the journal entries after it are read (the write's own), not the whole batch's again.
   */
  readonly after?: number | undefined;
}

/**
 * `base` brought up to the org's current revision by the journal, or null when only a full
 * load will do (base too old, too many changes, or a preset change). Run it in a transaction.
 */
export async function catchUp(
  db: Q,
  orgId: string,
  base: TimedSnapshot,
  options: CatchUpOptions = {},
): Promise<TimedSnapshot | null> {
  const read = options.head ? null : await headAndKeys(db, orgId, base);
  const now = options.head ?? read?.head;
  if (!now) return null;
  const org = { ms: now.ms, revision: options.asRevision ?? now.revision };
  if (org.ms - base.at > JOURNAL_TRUST_MS) return null;
  // Nothing newer to read (or this transaction sees an older state than the snapshot).
  if (org.revision <= base.snapshot.revision && !options.sameRevision) return base;
  // A write (head given) reads the keys and their rows in one statement (issue 15).
  const joined = read
    ? undefined
    : await journalRows(
        db,
        orgId,
        base.snapshot.revision,
        MAX_DELTA_KEYS,
        options.sameRevision ? options.after : undefined,
      );
  const changes = read ? read.changes : joined!.changes;
  if (changes.length > MAX_DELTA_KEYS) return null;
  const keys = new Map<string, string[]>();
  for (const c of changes) {
    if (c.entity === 'org') return null;
    const list = keys.get(c.entity);
    if (list) list.push(c.key);
    else keys.set(c.entity, [c.key]);
  }
  const rowsOf = <K extends keyof typeof readers>(kind: K) => {
    if (joined) return joined.rows[kind] as Awaited<ReturnType<(typeof readers)[K]>> | undefined;
    const k = keys.get(kind);
    return k ? (readers[kind](db, orgId, k) as ReturnType<(typeof readers)[K]>) : undefined;
  };
  const [scopes, members, groups, clients, memberships, assignments, roles] = await Promise.all([
    rowsOf('scope'),
    rowsOf('member'),
    rowsOf('group'),
    rowsOf('client'),
    rowsOf('membership'),
    rowsOf('assignment'),
    rowsOf('role'),
  ]);
  const snap = base.snapshot;
  const changed = (kind: string) => new Set(keys.get(kind) ?? []);
  const scopeKeys = changed('scope');
  const roleKeys = changed('role');
  const subjectKeys = [
    ...(keys.get('member') ?? []),
    ...(keys.get('group') ?? []),
    ...(keys.get('client') ?? []),
  ];
  const subjectRows = [...(members ?? []), ...(groups ?? []), ...(clients ?? [])];
  const membershipKeys = (keys.get('membership') ?? []).map(pairOf);
  // Every subject whose row, assignments or memberships changed (before or after): named by
  // the journal itself (an assignment's old subject is journaled as `assignee`, migration
  // 0024), so nothing of the org is walked.
  const affected = new Set<string>(subjectKeys);
  for (const id of keys.get('assignee') ?? []) affected.add(id);
  for (const a of assignments ?? []) affected.add(a.subjectId);
  for (const m of membershipKeys) {
    affected.add(m.groupId);
    affected.add(m.memberId);
  }
  // Only the changed rows are handed over: the patched snapshot copies the org's arrays only if
  // something reads them, and deriveEngine reads the patch.
  const snapshot = patchSnapshot(snap, {
    revision: org.revision,
    subjects: { keys: subjectKeys, rows: subjectRows },
    assignments: { keys: keys.get('assignment') ?? [], rows: assignments ?? [] },
    memberships: { keys: membershipKeys, rows: memberships ?? [] },
    ...(scopes ? { scopes: replace(snap.scopes, scopes, (s) => scopeKeys.has(s.id)) } : {}),
    ...(roles
      ? { roles: replace(snap.roles, roles, (r) => !r.builtIn && roleKeys.has(r.key)) }
      : {}),
  });
  return { snapshot, at: org.ms, affected, mark: joined?.mark ?? options.after };
}

/** A journal key of a membership (`"<groupId> <memberId>"`) as the pair. */
function pairOf(key: string): GroupMembership {
  const space = key.indexOf(' ');
  return { groupId: key.slice(0, space), memberId: key.slice(space + 1) };
}

/** `list` without the changed items, plus their current rows (scopes and custom roles). */
function replace<T>(
  list: readonly T[],
  fresh: readonly T[],
  isChanged: (item: T) => boolean,
): readonly T[] {
  return [...list.filter((x) => !isChanged(x)), ...fresh];
}

/** Deletes an org's journal entries older than JOURNAL_KEEP_MS. */
export async function pruneJournal(db: Q, orgId: string): Promise<void> {
  await db
    .deleteFrom('snapshot_changes')
    .where('org_id', '=', orgId)
    .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${JOURNAL_KEEP_MS / 1000})`)
    .execute();
}

/** The org's revision, the clock and the changed keys in one statement; null without the org. */
async function headAndKeys(
  db: Q,
  orgId: string,
  base: TimedSnapshot,
): Promise<{ head: JournalHead; changes: ChangedKey[] } | null> {
  const { rows } = await sql<{ revision: number; ms: number; changes: ChangedKey[] | string }>`
    select revision, (extract(epoch from now()) * 1000)::float8 as ms,
      coalesce((select json_agg(c) from (
        select distinct entity, key from snapshot_changes
         where org_id = ${orgId} and revision >= ${base.snapshot.revision}
         limit ${MAX_DELTA_KEYS + 1}) c), '[]'::json) as changes
      from orgs where id = ${orgId}`.execute(db);
  const row = rows[0];
  if (!row) return null;
  const changes = typeof row.changes === 'string' ? JSON.parse(row.changes) : row.changes;
  return { head: { revision: Number(row.revision), ms: Number(row.ms) }, changes };
}

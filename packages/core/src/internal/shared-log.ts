/**
 * An append-only list shared by the indexes derived from one another (issue 15: a write that
 * changes a few entries of a list holding every member must not copy or filter it). Each index
 * holds its own `SharedLog` record: how much of the log array is its own, and how many of those
 * entries are dead (removed since they were appended). Whether an entry is live is the reading
 * index's to say (`isLive`): a group's member while its `groupsOf` names the group
 * (`EngineIndex.members`), an assignment while its subject's `assignmentsOf` holds that very
 * object (./assignment-logs.ts).
 *
 * Nothing is ever live twice: where an added entry may be one that left before (a member id; not
 * an assignment, a new object each time), a derive that adds to a log with dead entries first
 * copies the live part. The live part is also copied when the log was extended past this index's
 * prefix (a derive from an older index) or when dead entries outnumber live ones.
 */

/** Logs shorter than this are never compacted for their dead entries alone. */
const MIN_COMPACT = 32;

/** One index's view of a shared log. */
export interface SharedLog<T> {
  readonly log: T[];
  /** Entries of `log` this index sees. */
  readonly length: number;
  /** Of those, how many are no longer live here. */
  readonly dead: number;
}

/** A log of `entries` (all live), as a full build or a rebuilt list has it. */
export function logOf<T>(entries: T[]): SharedLog<T> {
  return { log: entries, length: entries.length, dead: 0 };
}

/** The live entries (no copy when none is dead). */
export function liveEntries<T>(list: SharedLog<T>, isLive: (entry: T) => boolean): T[] {
  const { log, length } = list;
  if (list.dead === 0) return length === log.length ? log : log.slice(0, length);
  const out: T[] = [];
  for (let i = 0; i < length; i++) {
    const entry = log[i]!;
    if (isLive(entry)) out.push(entry);
  }
  return out;
}

/**
 * The derived index's log: `added` entries joined (none of them live before) and `removed` of
 * the previous ones stopped being live. `isLive` is the derived index's (already final);
 * `mayReturn`: an added entry may be one that left earlier (see the file comment). Undefined
 * when empty.
 */
export function nextLog<T>(
  prev: SharedLog<T> | undefined,
  added: readonly T[],
  removed: number,
  isLive: (entry: T) => boolean,
  mayReturn: boolean,
): SharedLog<T> | undefined {
  if (prev === undefined || prev.length === 0) {
    return added.length === 0 ? undefined : logOf(added.slice());
  }
  const dead = prev.dead + removed;
  const shared = prev.log.length !== prev.length;
  const compact =
    shared ||
    (mayReturn && added.length > 0 && dead > 0) ||
    (prev.length >= MIN_COMPACT && 2 * dead > prev.length);
  if (!compact) {
    for (const entry of added) prev.log.push(entry);
    return { log: prev.log, length: prev.log.length, dead };
  }
  // Live here and not just added (an added entry's old, dead copy reads as live now).
  const joined = new Set(added);
  const kept: T[] = [];
  for (let i = 0; i < prev.length; i++) {
    const entry = prev.log[i]!;
    if (!joined.has(entry) && isLive(entry)) kept.push(entry);
  }
  for (const entry of added) kept.push(entry);
  return kept.length === 0 ? undefined : logOf(kept);
}

/**
 * A group's members as an append-only log (issue 15: a write adding members to a group of 50k
 * costs the members it adds, not the group). The log array is shared by the indexes derived from
 * one another; each index holds its own `MemberLog` record: how much of the log is its own, and
 * how many of those entries are dead (members that left since they were appended). An entry is
 * live while the member's `groupsOf` in that index names the group. A member is never live twice:
 * a derive that adds a member to a log with dead entries (the member may be one of them) first
 * copies the live part.
 */
import type { SubjectTable } from './subject-table.js';

/** Logs shorter than this are never compacted for their dead entries alone. */
const MIN_COMPACT = 32;

/** One index's view of a group's member log. */
export interface MemberLog {
  readonly log: string[];
  /** Entries of `log` this index sees. */
  readonly length: number;
  /** Of those, how many are no longer members here. */
  readonly dead: number;
}

/** A log of `members` (all live), as a full build or a rebuilt group has it. */
export function memberLogOf(members: string[]): MemberLog {
  return { log: members, length: members.length, dead: 0 };
}

/** The live members of `group` in the index whose `groupsOf` is given (no copy when none left). */
export function liveMembers(
  list: MemberLog,
  group: string,
  groupsOf: SubjectTable<string[]>,
): string[] {
  const { log, length } = list;
  if (list.dead === 0) return length === log.length ? log : log.slice(0, length);
  const out: string[] = [];
  for (let i = 0; i < length; i++) {
    const m = log[i]!;
    if (groupsOf.get(m)?.includes(group)) out.push(m);
  }
  return out;
}

/**
 * The derived index's log of `group`: `added` members joined (none of them a member before) and
 * `removed` left. `groupsOf` is the derived index's (already final). Undefined when empty.
 */
export function nextMemberLog(
  prev: MemberLog | undefined,
  group: string,
  added: readonly string[],
  removed: number,
  groupsOf: SubjectTable<string[]>,
): MemberLog | undefined {
  if (prev === undefined || prev.length === 0) {
    return added.length === 0 ? undefined : memberLogOf(added.slice());
  }
  const dead = prev.dead + removed;
  const shared = prev.log.length !== prev.length;
  const compact =
    shared ||
    (added.length > 0 && dead > 0) ||
    (prev.length >= MIN_COMPACT && 2 * dead > prev.length);
  if (!compact) {
    for (const m of added) prev.log.push(m);
    return { log: prev.log, length: prev.log.length, dead };
  }
  // Live here and not just added (an added member's old, dead entry reads as live now).
  const joined = new Set(added);
  const kept: string[] = [];
  for (let i = 0; i < prev.length; i++) {
    const m = prev.log[i]!;
    if (!joined.has(m) && groupsOf.get(m)?.includes(group)) kept.push(m);
  }
  for (const m of added) kept.push(m);
  return kept.length === 0 ? undefined : memberLogOf(kept);
}

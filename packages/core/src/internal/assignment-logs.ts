/**
 * Assignments that take effect, grouped under small integer keys (a scope index; a role index at
 * the root), for readers that want every holder of a key: M7's holders at the root, the
 * candidates of `listSubjects`. A write changes a few entries of lists that can hold every member
 * (each SCIM-provisioned member holds a role at the root), so a derive must not copy or filter
 * them (issue 15: work inside a write's lock must not grow with the org).
 *
 * Each key's list is an append-only log shared by the indexes derived from one another; an index
 * sees its own prefix (`lengths`), and an entry counts while that index's `assignmentsOf` still
 * holds that very object. A removed or replaced assignment stays in the log, dead, until the log
 * is compacted: when its dead entries outnumber the live ones, or when a derive from an older
 * index finds the log extended past its prefix (it copies the live part then).
 */
import type { Assignment } from '../snapshot.js';
import type { SubjectTable } from './subject-table.js';

/** Logs shorter than this are never compacted for their dead entries alone. */
const MIN_COMPACT = 32;

/** See the file comment. */
export class AssignmentLogs {
  constructor(
    private readonly logs: Array<Assignment[] | undefined>,
    private readonly lengths: number[],
    private readonly dead: number[],
  ) {}

  /** Empty logs for keys below `size`. */
  static empty(size: number): AssignmentLogs {
    return new AssignmentLogs(new Array(size), new Array(size).fill(0), new Array(size).fill(0));
  }

  /** Appends while an index is built (before anything shares the logs). */
  buildPush(key: number, a: Assignment): void {
    const log = this.logs[key];
    if (log) log.push(a);
    else this.logs[key] = [a];
    this.lengths[key] = (this.lengths[key] ?? 0) + 1;
  }

  /**
   * The live assignments under `key` as the index owning `assignmentsOf` sees them. An
   * assignment removed and later re-added as the very same object may appear twice: readers
   * collect subjects into sets.
   */
  live(key: number, assignmentsOf: SubjectTable<Assignment[]>): Assignment[] {
    const log = this.logs[key];
    const out: Assignment[] = [];
    if (!log) return out;
    const length = this.lengths[key]!;
    for (let i = 0; i < length; i++) {
      const a = log[i]!;
      if (assignmentsOf.get(a.subjectId)?.includes(a)) out.push(a);
    }
    return out;
  }

  /** A draft of the next index's logs (shares these until the first change). */
  draft(): AssignmentLogsDraft {
    return new AssignmentLogsDraft(this.logs, this.lengths, this.dead);
  }
}

/** The logs of an index being derived: per key, what the derive added and how many it killed. */
export class AssignmentLogsDraft {
  private copied = false;

  constructor(
    private logs: Array<Assignment[] | undefined>,
    private lengths: number[],
    private dead: number[],
  ) {}

  /**
   * Under `key`: `added` (assignments not under it in the previous index) join, and `removed`
   * entries of the previous index stopped counting. `assignmentsOf` is the derived index's
   * (already final), read only to compact.
   */
  change(
    key: number,
    added: readonly Assignment[],
    removed: number,
    assignmentsOf: SubjectTable<Assignment[]>,
  ): void {
    if (added.length === 0 && removed === 0) return;
    if (!this.copied) {
      this.logs = this.logs.slice();
      this.lengths = this.lengths.slice();
      this.dead = this.dead.slice();
      this.copied = true;
    }
    const log = this.logs[key];
    const length = this.lengths[key] ?? 0;
    const dead = (this.dead[key] ?? 0) + removed;
    const shared = log !== undefined && log.length !== length;
    if (log === undefined || length === 0) {
      this.set(key, added.slice(), 0);
    } else if (shared || (length >= MIN_COMPACT && 2 * dead > length)) {
      // Someone appended past this prefix, or most of it is dead: copy the live part.
      const kept: Assignment[] = [];
      for (let i = 0; i < length; i++) {
        const a = log[i]!;
        if (assignmentsOf.get(a.subjectId)?.includes(a) && !added.includes(a)) kept.push(a);
      }
      for (const a of added) kept.push(a);
      this.set(key, kept, 0);
    } else {
      for (const a of added) log.push(a);
      this.set(key, log, dead);
    }
  }

  /** The derived logs. */
  done(): AssignmentLogs {
    return new AssignmentLogs(this.logs, this.lengths, this.dead);
  }

  private set(key: number, log: Assignment[], dead: number): void {
    this.logs[key] = log.length === 0 ? undefined : log;
    this.lengths[key] = log.length;
    this.dead[key] = log.length === 0 ? 0 : dead;
  }
}

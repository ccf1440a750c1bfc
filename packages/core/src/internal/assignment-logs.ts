/**
 * Assignments that take effect, grouped under small integer keys (a scope index; a role index at
 * the root), for readers that want every holder of a key: M7's holders at the root, the
 * candidates of `listSubjects`. Each key's list is a `SharedLog` (./shared-log.ts): a write
 * changes a few entries of lists that can hold every member (each SCIM-provisioned member holds
 * a role at the root), so a derive appends to them or marks entries dead instead of copying or
 * filtering them. An entry is live while the index's `assignmentsOf` holds that very object.
 */
import type { Assignment } from '../snapshot.js';
import { liveEntries, logOf, nextLog, type SharedLog } from './shared-log.js';
import type { SubjectTable } from './subject-table.js';

/** The liveness of an assignment in the index owning `assignmentsOf`. */
const heldIn =
  (assignmentsOf: SubjectTable<Assignment[]>) =>
  (a: Assignment): boolean =>
    assignmentsOf.get(a.subjectId)?.includes(a) === true;

/** See the file comment. */
export class AssignmentLogs {
  private constructor(private readonly lists: Array<SharedLog<Assignment> | undefined>) {}

  /** Empty logs for keys below `size`. */
  static empty(size: number): AssignmentLogs {
    return new AssignmentLogs(new Array(size));
  }

  /** Appends while an index is built (before anything shares the logs). */
  buildPush(key: number, a: Assignment): void {
    const log = this.lists[key]?.log ?? [];
    log.push(a);
    this.lists[key] = logOf(log);
  }

  /** The live assignments under `key` as the index owning `assignmentsOf` sees them. */
  live(key: number, assignmentsOf: SubjectTable<Assignment[]>): readonly Assignment[] {
    const list = this.lists[key];
    return list === undefined ? [] : liveEntries(list, heldIn(assignmentsOf));
  }

  /**
   * The derived index's logs: under each key of `changes`, the assignments that joined and how
   * many of the previous ones left. `assignmentsOf` is the derived index's (already final).
   */
  derive(
    changes: ReadonlyMap<number, { readonly added: Assignment[]; readonly removed: number }>,
    assignmentsOf: SubjectTable<Assignment[]>,
  ): AssignmentLogs {
    if (changes.size === 0) return this;
    const lists = this.lists.slice();
    const isLive = heldIn(assignmentsOf);
    for (const [key, c] of changes) {
      lists[key] = nextLog(lists[key], c.added, c.removed, isLive, false);
    }
    return new AssignmentLogs(lists);
  }
}

/**
 * Deriving the next revision's index from the previous one when a write changed a few subjects
 * (`deriveEngine`). The catalog, role masks and scope tree are shared by reference, so is every
 * unchanged subject's record; only the changed subjects' records, memberships and assignments are
 * rebuilt. The result answers every question exactly as a full build of the new snapshot would.
 *
 * The previous index may still be serving requests, so nothing it can read is written: a table
 * or Map is copied (shallowly) before its first change, and the mask and entry arrays are copied
 * with the new records' data appended. Per-subject tables are arrays by slot
 * (./subject-table.ts), so a copy is a pointer copy rather than 100k Map inserts. What replaced
 * records leave behind in the mask and entry arrays is counted as garbage; past a limit the
 * caller builds from scratch, which compacts.
 */
import { sameInheritance } from '../inheritance.js';
import { type PatchStep, patchStepOf } from '../patched-snapshot.js';
import type { Assignment, GroupMembership, OrgSnapshot, SubjectInfo } from '../snapshot.js';
import {
  countsAsMembership,
  ENV_SLOTS,
  EngineIndex,
  envSlot,
  newRecord,
  push,
  type SkippedAssignment,
  type SubjectRecord,
} from './engine-index.js';
import { overrideNests, resolveGrants } from './override.js';
import { logOf, nextLog } from './shared-log.js';
import { SubjectTable, TableDraft, ValueDraft } from './subject-table.js';

/** When deriving gives way to a full build. */
export interface DeriveLimits {
  /** Most subjects whose records may be rebuilt, as a share of the org's subjects. */
  readonly maxChangedShare: number;
  /** Most garbage the previous index may hold (dead entries or mask words), as a share. */
  readonly maxGarbageShare: number;
}

/** A tenth of the subjects changed: a full build is then within a few times the cost. */
export const DERIVE_LIMITS: DeriveLimits = { maxChangedShare: 0.1, maxGarbageShare: 0.5 };

/**
 * The index of `snapshot` derived from `prev`, or null when a full build is due: the catalog,
 * roles or scopes are other arrays than `prev`'s (or the slots' inheritance differs), too many
 * subjects changed, `prev` holds too much garbage, or the unchanged rows are not the very objects
 * `prev` was built from. `affected`: the ids of every subject whose row, own assignments or
 * memberships changed (see `deriveEngine`).
 */
export function deriveIndex(
  prev: EngineIndex,
  snapshot: OrgSnapshot,
  affected: ReadonlySet<string>,
  limits: DeriveLimits = DERIVE_LIMITS,
): EngineIndex | null {
  const old = prev.snapshot;
  if (
    snapshot.permissions !== old.permissions ||
    snapshot.roles !== old.roles ||
    snapshot.scopes !== old.scopes ||
    !sameInheritance(snapshot.inheritance, old.inheritance)
  ) {
    return null;
  }
  if (prev.garbageShare > limits.maxGarbageShare) return null;
  const budget = limits.maxChangedShare * prev.subjectCount;
  if (affected.size > budget) return null;
  // A patched snapshot says what changed: read that instead of scanning the org.
  const step = patchStepOf(snapshot, old);
  const delta =
    (step ? readPatch(prev, step, affected) : null) ?? readDelta(prev, snapshot, affected);
  if (delta === null || delta.changed.size > budget) return null;
  return applyDelta(prev, snapshot, delta);
}

/** What changed, read from the new snapshot against the previous index (nothing written). */
interface Delta {
  readonly affected: ReadonlySet<string>;
  /** The affected subjects' new rows (absent: removed, or never existed). */
  readonly rows: Map<string, SubjectInfo>;
  /** Records to rebuild: the affected subjects and the members of groups whose grants changed. */
  readonly changed: Set<string>;
  /** The affected subjects' assignments that take effect, by subject, in snapshot order. */
  readonly own: Map<string, Assignment[]>;
  /** The same by scope index. */
  readonly ownAt: Map<number, Assignment[]>;
  /** Every skipped assignment of the new snapshot, in snapshot order. */
  readonly skipped: SkippedAssignment[];
  /**
   * Memberships naming an affected member, or a group of `walked`, in snapshot order (and the
   * changed pairs that exist).
   */
  readonly memberships: GroupMembership[];
  /**
   * The affected groups whose memberships were all read (their member logs are rebuilt); the
   * others' logs take the members that joined or left. Null: every affected subject.
   */
  readonly walked: ReadonlySet<string> | null;
  /**
   * When some id became or stopped being a group, the memberships of the changed subjects that
   * are not affected themselves (their group lists are rebuilt); else null (they keep theirs).
   */
  readonly regrouped: GroupMembership[] | null;
  /** How the delta was read: from a patch (cost of the change) or by scanning the snapshot. */
  readonly by: 'patch' | 'scan';
  /** Assignments and memberships in the new snapshot. */
  readonly assignmentCount: number;
  readonly membershipCount: number;
}

function readDelta(
  prev: EngineIndex,
  snapshot: OrgSnapshot,
  affected: ReadonlySet<string>,
): Delta | null {
  const rows = new Map<string, SubjectInfo>();
  // Last row wins, as in a full build.
  for (const info of snapshot.subjects) if (affected.has(info.id)) rows.set(info.id, info);

  const own = new Map<string, Assignment[]>();
  const ownAt = new Map<number, Assignment[]>();
  const skipped: SkippedAssignment[] = [];
  // Unaffected subjects' assignments are skipped for the same reasons as before; they are found
  // by identity to keep the list in the new snapshot's order.
  const carried = new Map<Assignment, SkippedAssignment>();
  let expected = 0;
  for (const s of prev.skipped) {
    if (affected.has(s.assignment.subjectId)) continue;
    carried.set(s.assignment, s);
    expected++;
  }
  let found = 0;
  for (const a of snapshot.assignments) {
    if (affected.has(a.subjectId)) {
      const problem = prev.problemFor(a, rows.get(a.subjectId));
      if (problem !== null) {
        skipped.push({ assignment: a, problem });
      } else {
        push(own, a.subjectId, a);
        push(ownAt, prev.tree.indexOf(a.scopeId)!, a);
      }
    } else if (found < expected) {
      const s = carried.get(a);
      if (s !== undefined) {
        skipped.push(s);
        found++;
      }
    }
  }
  // Unchanged rows were replaced by copies (or dropped): only a full build can tell.
  if (found !== expected) return null;

  const memberships: GroupMembership[] = [];
  for (const m of snapshot.memberships) {
    if (affected.has(m.groupId) || affected.has(m.memberId)) memberships.push(m);
  }

  const { changed, regroup } = spread(prev, affected, rows, own, memberships);
  let regrouped: GroupMembership[] | null = null;
  if (regroup && changed.size > affected.size) {
    regrouped = [];
    for (const m of snapshot.memberships) {
      if (!affected.has(m.memberId) && changed.has(m.memberId)) regrouped.push(m);
    }
  }
  return {
    affected,
    rows,
    changed,
    own,
    ownAt,
    skipped,
    memberships,
    walked: null,
    regrouped,
    by: 'scan',
    assignmentCount: snapshot.assignments.length,
    membershipCount: snapshot.memberships.length,
  };
}

/**
 * The records to rebuild: the affected subjects, and the members of affected groups whose grants
 * for members changed (a group's members fold its grants in). `regroup`: some id became or
 * stopped being a group.
 */
function spread(
  prev: EngineIndex,
  affected: ReadonlySet<string>,
  rows: ReadonlyMap<string, SubjectInfo>,
  own: ReadonlyMap<string, Assignment[]>,
  memberships: readonly GroupMembership[],
): { changed: Set<string>; regroup: boolean } {
  const changed = new Set(affected);
  const regranted = new Set<string>();
  let regroup = false;
  for (const id of affected) {
    const before = prev.subjects.get(id);
    const after = rows.get(id);
    if ((before?.type === 'group') !== (after?.type === 'group')) regroup = true;
    if (sameForMembers(before, after, prev.assignmentsOf.get(id), own.get(id))) continue;
    regranted.add(id);
    for (const m of prev.members(id)) changed.add(m);
  }
  if (regranted.size > 0) {
    const rowOf = (id: string) => (affected.has(id) ? rows.get(id) : prev.subjects.get(id)?.info);
    for (const m of memberships) {
      if (regranted.has(m.groupId) && countsAsMembership(rowOf(m.memberId), rowOf(m.groupId))) {
        changed.add(m.memberId);
      }
    }
  }
  return { changed, regroup };
}

/**
 * The delta read from the patch that made `snapshot` from `prev.snapshot` (./patched-snapshot.ts)
 * at the cost of what changed: the affected subjects' rows, assignments and memberships come
 * from `prev`'s tables and the patch, never from a pass over the org (skipped assignments and
 * memberships that do not count, rare outside tests, are walked whole). Null (scan instead) in
 * the rare cases only a pass could order exactly as a full build: an affected subject's kept
 * assignment starts or stops taking effect, a kept membership that did not count counts now, or
 * an id became or stopped being a group with members to regroup.
 */
function readPatch(
  prev: EngineIndex,
  step: PatchStep,
  affected: ReadonlySet<string>,
): Delta | null {
  const assignmentIds = step.assignmentIds;
  const rows = new Map<string, SubjectInfo>();
  for (const id of affected) {
    const row = step.subjects.has(id) ? step.subjects.get(id) : prev.subjects.get(id)?.info;
    if (row) rows.set(id, row);
  }
  // Skipped assignments keep their places: changed ones leave, an affected subject's are asked
  // again (one that now takes effect would join its list in snapshot order: scan instead).
  let assignmentCount = prev.assignmentCount;
  let skipped = prev.skipped;
  if (prev.skipped.length > 0) {
    skipped = [];
    for (const s of prev.skipped) {
      const a = s.assignment;
      if (assignmentIds.has(a.id)) {
        assignmentCount--;
        continue;
      }
      if (!affected.has(a.subjectId)) {
        skipped.push(s);
        continue;
      }
      const problem = prev.problemFor(a, rows.get(a.subjectId));
      if (problem === null) return null;
      skipped.push(problem === s.problem ? s : { assignment: a, problem });
    }
  }
  // Changed assignments come last in the new snapshot, in the patch's order.
  const fresh = new Map<string, Assignment[]>();
  const added: SkippedAssignment[] = [];
  for (const a of step.assignments) {
    // The caller names every subject a write touched; else only a pass can tell.
    if (!affected.has(a.subjectId)) return null;
    const problem = prev.problemFor(a, rows.get(a.subjectId));
    if (problem !== null) added.push({ assignment: a, problem });
    else push(fresh, a.subjectId, a);
  }
  const own = new Map<string, Assignment[]>();
  const ownAt = new Map<number, Assignment[]>();
  for (const id of affected) {
    const row = rows.get(id);
    const list: Assignment[] = [];
    for (const a of prev.assignmentsOf.get(id) ?? []) {
      assignmentCount--;
      if (assignmentIds.has(a.id)) continue;
      // A kept assignment that stops taking effect goes to the skipped list in snapshot order.
      if (prev.problemFor(a, row) !== null) return null;
      list.push(a);
    }
    for (const a of fresh.get(id) ?? []) list.push(a);
    assignmentCount += list.length;
    if (list.length === 0) continue;
    own.set(id, list);
    for (const a of list) push(ownAt, prev.tree.indexOf(a.scopeId)!, a);
  }
  assignmentCount += added.length;

  // Memberships naming an affected subject, in snapshot order: each member's groups (kept, in
  // order), the other members of affected groups whose row changed (only then may their
  // memberships count otherwise: the others' member logs just take who joined or left), then
  // the changed pairs that exist.
  const dropped = (group: string, member: string) =>
    step.membershipKeys.get(group)?.has(member) === true;
  const memberships: GroupMembership[] = [];
  let membershipCount = prev.membershipCount;
  for (const id of affected) {
    for (const g of prev.groupsOf.get(id) ?? []) {
      membershipCount--;
      if (!dropped(g, id)) memberships.push({ groupId: g, memberId: id });
    }
  }
  const walked = new Set<string>();
  for (const id of affected) if (step.subjects.has(id)) walked.add(id);
  for (const id of walked) {
    for (const m of prev.members(id)) {
      if (affected.has(m)) continue;
      membershipCount--;
      if (!dropped(id, m)) memberships.push({ groupId: id, memberId: m });
    }
  }
  // Those that did not count stay out of every list unless they count now (then they would
  // join a member's groups in snapshot order: scan instead). Ones that stop counting just leave.
  const rowOf = (id: string) => (affected.has(id) ? rows.get(id) : prev.subjects.get(id)?.info);
  for (const m of prev.strayMemberships) {
    if (!affected.has(m.groupId) && !affected.has(m.memberId)) continue;
    membershipCount--;
    if (dropped(m.groupId, m.memberId)) continue;
    if (countsAsMembership(rowOf(m.memberId), rowOf(m.groupId))) return null;
    memberships.push(m);
  }
  for (const m of step.memberships) {
    if (!affected.has(m.groupId) || !affected.has(m.memberId)) return null;
    memberships.push(m);
  }
  membershipCount += memberships.length;

  const { changed, regroup } = spread(prev, affected, rows, own, memberships);
  if (regroup && changed.size > affected.size) return null;
  return {
    affected,
    rows,
    changed,
    own,
    ownAt,
    skipped: added.length === 0 ? skipped : skipped.concat(added),
    memberships,
    walked,
    regrouped: null,
    by: 'patch',
    assignmentCount,
    membershipCount,
  };
}

/**
 * True when members fold in the same grants from the group before and after: both a group or
 * both not, equally active, and (when active) the same roles at the same scopes and environments.
 */
function sameForMembers(
  before: SubjectRecord | undefined,
  after: SubjectInfo | undefined,
  was: readonly Assignment[] | undefined,
  now: readonly Assignment[] | undefined,
): boolean {
  const wasGroup = before?.type === 'group';
  if (wasGroup !== (after?.type === 'group')) return false;
  if (!wasGroup) return true;
  if (before!.active !== after!.active) return false;
  if (!after!.active) return true;
  const a = was ?? [];
  const b = now ?? [];
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.roleKey !== y.roleKey || x.scopeId !== y.scopeId || x.environment !== y.environment) {
      return false;
    }
  }
  return true;
}

function applyDelta(prev: EngineIndex, snapshot: OrgSnapshot, d: Delta): EngineIndex {
  const next = new EngineIndex(snapshot, prev);
  const size = ENV_SLOTS * next.words;
  const exists = (id: string) => (d.affected.has(id) ? d.rows.has(id) : prev.subjects.has(id));
  // A new id takes the next slot in `slotOf`, which every index derived from one full build
  // shares and only ever appends to (copying 100k entries per new subject was half of a derive
  // at 100k). Indexes that do not know an id have no record or code at its slot (their arrays
  // are shorter, or hold -1 / undefined there), so for them it stays an unknown subject. A
  // removed id keeps its slot.
  const slotOf = prev.slotOf;
  for (const id of d.changed) {
    if (!slotOf.has(id) && exists(id)) slotOf.set(id, slotOf.size);
  }
  // Shared chunks, copied as written; slots other derives appended read as no subject here.
  const records = prev.subjects.slots.fork();
  const codes = prev.codes.fork();
  let count = prev.subjectCount;
  // Fresh records for the changed subjects that exist after; the old ones' data becomes garbage.
  const rebuilt: Array<[string, number, SubjectRecord]> = [];
  for (const id of d.changed) {
    const old = prev.subjects.get(id);
    if (old) {
      next.deadMasks += old.grants.size * size;
      if (old.start >= 0) next.deadEntries += old.end - old.start;
      count--;
    }
    const slot = slotOf.get(id);
    const info = d.affected.has(id) ? d.rows.get(id) : old?.info;
    if (slot === undefined) continue;
    if (!info) {
      records.set(slot, undefined);
      codes.set(slot, -1);
      continue;
    }
    const rec = newRecord(info);
    records.set(slot, rec);
    count++;
    rebuilt.push([id, slot, rec]);
  }
  next.slotOf = slotOf;
  next.subjects = new SubjectTable(slotOf, records);
  next.subjectCount = count;
  next.codes = codes;
  next.walkers = prev.walkers.slice();
  updateMemberships(prev, next, d);
  updateAssignments(prev, next, d);
  next.skipped = d.skipped;
  next.assignmentCount = d.assignmentCount;
  next.membershipCount = d.membershipCount;
  next.readBy = d.by;

  // Fold each record's own grants and its active groups' (as `EngineIndex.apply` does), and
  // resolve those an override slot reaches (as the full build does).
  const sources = rebuilt.map(([id]) => next.assignmentsReaching(id));
  let room = 0;
  for (const lists of sources) for (const list of lists) room += list.length;
  next.reserveMasks(room * size);
  rebuilt.forEach(([, , rec], i) => {
    const lists = sources[i]!;
    for (const list of lists) {
      for (const a of list) {
        const mask = next.roleMasks.get(a.roleKey)!;
        next.foldInto(rec, next.tree.indexOf(a.scopeId)!, envSlot(a.environment), mask);
      }
    }
    if (overrideNests(next, lists)) resolveGrants(next, rec, lists);
  });
  next.appendEntries(rebuilt.map(([, , rec]) => rec));
  for (const [, slot, rec] of rebuilt) {
    const code = prev.codes.get(slot) ?? -1;
    next.setCode(slot, rec, code <= -2 ? -2 - code : undefined);
  }
  return next;
}

/**
 * Group lists of the affected members (and of all changed ones when an id became or stopped
 * being a group); member logs of the walked groups rebuilt, and of the groups affected members
 * joined or left, extended (./shared-log.ts: the cost of who joined or left, not of the group).
 */
function updateMemberships(prev: EngineIndex, next: EngineIndex, d: Delta): void {
  const counts = (m: GroupMembership) =>
    countsAsMembership(next.subjects.get(m.memberId), next.subjects.get(m.groupId));
  const walked = d.walked ?? d.affected;
  const groupRows = new Map<string, string[]>();
  const memberRows = new Map<string, string[]>();
  for (const m of d.memberships) {
    if (!counts(m)) continue;
    if (d.affected.has(m.memberId)) push(groupRows, m.memberId, m.groupId);
    if (walked.has(m.groupId)) push(memberRows, m.groupId, m.memberId);
  }
  for (const m of d.regrouped ?? []) if (counts(m)) push(groupRows, m.memberId, m.groupId);

  const groupsOf = new TableDraft(next.slotOf, prev.groupsOf);
  // Groups not walked: who joined them and how many left.
  const joins = new Map<string, LogChange<string>>();
  for (const id of d.regrouped ? d.changed : d.affected) {
    const before = prev.groupsOf.get(id) ?? [];
    const after = groupRows.get(id) ?? [];
    groupsOf.put(id, after);
    for (const g of before)
      if (!walked.has(g) && !after.includes(g)) noteChange(joins, g, id, false);
    for (const g of after)
      if (!walked.has(g) && !before.includes(g)) noteChange(joins, g, id, true);
  }
  next.groupsOf = groupsOf.done();
  const membersOf = new ValueDraft(next.slotOf, prev.membersOf);
  for (const [g, j] of joins) {
    const isLive = (m: string) => next.groupsOf.get(m)?.includes(g) === true;
    membersOf.put(g, nextLog(prev.membersOf.get(g), j.added, j.removed, isLive, true));
  }
  // A walked group's memberships were all read: its log is rebuilt from them.
  for (const g of walked) {
    const rows = memberRows.get(g);
    membersOf.put(g, rows ? logOf(rows) : undefined);
  }
  next.membersOf = membersOf.done();
  // Whether a membership counts depends on its two rows only: the affected ones' are re-read.
  const strays = prev.strayMemberships.filter(
    (m) => !d.affected.has(m.groupId) && !d.affected.has(m.memberId),
  );
  for (const m of d.memberships) if (!counts(m)) strays.push(m);
  next.strayMemberships =
    strays.length === 0 && prev.strayMemberships.length === 0 ? prev.strayMemberships : strays;
}

/**
 * The affected subjects' effective assignments, by subject, and under their scopes and (at the
 * root) roles in the shared logs: the cost of the affected subjects' assignments, whatever the
 * size of the lists they sit in.
 */
function updateAssignments(prev: EngineIndex, next: EngineIndex, d: Delta): void {
  const of = new TableDraft(next.slotOf, prev.assignmentsOf);
  // Per log key, the assignments that join and how many of the previous index's leave.
  const atScope = new Map<number, LogChange<Assignment>>();
  const atRoot = new Map<number, LogChange<Assignment>>();
  const root = prev.tree.root;
  const note = (a: Assignment, join: boolean) => {
    const scope = prev.tree.indexOf(a.scopeId)!;
    noteChange(atScope, scope, a, join);
    if (scope === root) noteChange(atRoot, prev.roleIndex.get(a.roleKey)!, a, join);
  };
  for (const id of d.affected) {
    const was = prev.assignmentsOf.get(id) ?? [];
    const now = d.own.get(id) ?? [];
    for (const a of was) if (!now.includes(a)) note(a, false);
    for (const a of now) if (!was.includes(a)) note(a, true);
    of.put(id, d.own.get(id));
  }
  next.assignmentsOf = of.done();
  next.assignmentsAt = prev.assignmentsAt.derive(atScope, next.assignmentsOf);
  next.rootByRole = prev.rootByRole.derive(atRoot, next.assignmentsOf);
}

/** What a derive does to one shared log: the entries that join it and how many leave. */
interface LogChange<T> {
  readonly added: T[];
  removed: number;
}

function noteChange<K, T>(changes: Map<K, LogChange<T>>, key: K, entry: T, join: boolean): void {
  let c = changes.get(key);
  if (!c) {
    c = { added: [], removed: 0 };
    changes.set(key, c);
  }
  if (join) c.added.push(entry);
  else c.removed++;
}

/**
 * A snapshot patched with the rows a write changed, without copying the org (issue 15: work
 * inside a write's lock must not grow with the org). `patchSnapshot` returns an `OrgSnapshot`
 * whose `subjects`, `assignments` and `memberships` are built only when something reads them
 * (a client fetching the snapshot, a full build); until then it holds the base arrays and the
 * changed rows. `deriveEngine` reads the patch itself and so derives the next engine at the cost
 * of what changed.
 *
 * Order, as the journal catch-up always had it: the base's rows without the changed ones, then
 * the changed rows that still exist, most recently changed last. Chained patches keep one base
 * and an overlay of every row changed since; past a limit the overlay is folded into new base
 * arrays once (the cost of one copy of the org, spread over that many changed rows).
 */
import type {
  Assignment,
  GroupMembership,
  OrgSnapshot,
  RoleDef,
  ScopeNode,
  SubjectInfo,
} from './snapshot.js';

/** What changed, as the journal says it: the changed keys and the current rows behind them. */
export interface SnapshotPatch {
  /** The revision of the patched snapshot (default: the base's). */
  readonly revision?: number;
  /** Ids of subjects whose row changed; `rows`: the current rows of those that still exist. */
  readonly subjects?: ChangedRows<string, SubjectInfo>;
  /** Ids of changed assignments and the current rows of those that still exist. */
  readonly assignments?: ChangedRows<string, Assignment>;
  /** Changed group-member pairs and those that exist now. */
  readonly memberships?: ChangedRows<GroupMembership, GroupMembership>;
  /** New arrays for the small tables, when they changed (the engine then builds in full). */
  readonly scopes?: readonly ScopeNode[];
  readonly roles?: readonly RoleDef[];
}

/** Changed keys, and the rows that exist for them now (a key without a row was removed). */
export interface ChangedRows<K, R> {
  readonly keys: Iterable<K>;
  readonly rows: readonly R[];
}

/** One patch step as `deriveEngine` reads it (internal). */
export interface PatchStep {
  /** Changed subject ids → the current row, or null when removed. */
  readonly subjects: ReadonlyMap<string, SubjectInfo | null>;
  /** Changed assignment ids. */
  readonly assignmentIds: ReadonlySet<string>;
  /** The changed assignments that exist, in snapshot order (one per id). */
  readonly assignments: readonly Assignment[];
  /** Changed membership pairs: member ids by group id. */
  readonly membershipKeys: ReadonlyMap<string, ReadonlySet<string>>;
  /** The changed pairs that exist, in snapshot order (one per pair). */
  readonly memberships: readonly GroupMembership[];
}

/** Overlays may hold this many changed rows (plus a sixteenth of the base) before folding. */
const OVERLAY_ROWS = 4096;

/**
 * The base arrays a chain of patches shares, and the steps applied since, in order. The log is
 * shared along a chain: a patch of the newest snapshot appends in place (the cost of its step,
 * not of the chain); a patch of an older one copies the log up to its own length first.
 */
interface Overlay {
  readonly base: Readonly<Pick<OrgSnapshot, 'subjects' | 'assignments' | 'memberships'>>;
  readonly log: PatchStep[];
  /** How many steps of `log` are this snapshot's. */
  readonly length: number;
  /** The rows those steps changed, counted once per step. */
  readonly rows: number;
}

const overlays = new WeakMap<OrgSnapshot, Overlay>();
/**
 * Each patched snapshot's step and the snapshot it was patched from. `from` is held weakly:
 * a strong reference would keep every snapshot of a chain (and whatever each materialized)
 * alive for as long as the newest one is.
 */
const steps = new WeakMap<OrgSnapshot, { step: PatchStep; from: WeakRef<OrgSnapshot> }>();

/** The patch step `snapshot` was made by, if `patchSnapshot` made it from `from` (internal). */
export function patchStepOf(snapshot: OrgSnapshot, from: OrgSnapshot): PatchStep | undefined {
  const made = steps.get(snapshot);
  return made && made.from.deref() === from ? made.step : undefined;
}

/**
 * `base` with the changed rows of `patch` replaced by their current versions, built lazily (see
 * the file comment). Unchanged rows stay the very objects of `base`, and `permissions`, `roles`
 * and `scopes` the very arrays when the patch leaves them, as `deriveEngine` needs.
 *
 * @example
 * const next = patchSnapshot(engine.snapshot, {
 *   revision: 8,
 *   assignments: { keys: ['asg_9'], rows: [{ id: 'asg_9', subjectId: 'usr_1', ... }] },
 * });
 * deriveEngine(engine, next, new Set(['usr_1']));
 */
export function patchSnapshot(base: OrgSnapshot, patch: SnapshotPatch): OrgSnapshot {
  const step = normalize(patch);
  const overlay = nextOverlay(base, step);
  const out = {} as Record<string, unknown>;
  let built: Pick<OrgSnapshot, 'subjects' | 'assignments' | 'memberships'> | undefined;
  const materialized = () => {
    built ??= fold(overlay);
    return built;
  };
  for (const key of Object.keys(base)) {
    if (key === 'subjects' || key === 'assignments' || key === 'memberships') {
      Object.defineProperty(out, key, {
        enumerable: true,
        get: () => materialized()[key],
      });
    } else out[key] = (base as unknown as Record<string, unknown>)[key];
  }
  if (patch.revision !== undefined) out.revision = patch.revision;
  if (patch.scopes) out.scopes = patch.scopes;
  if (patch.roles) out.roles = patch.roles;
  const snapshot = out as unknown as OrgSnapshot;
  overlays.set(snapshot, overlay);
  steps.set(snapshot, { step, from: new WeakRef(base) });
  return snapshot;
}

function normalize(patch: SnapshotPatch): PatchStep {
  const subjects = new Map<string, SubjectInfo | null>();
  // Rows first, in their order (the order they take at the end of the snapshot).
  for (const row of patch.subjects?.rows ?? []) subjects.set(row.id, row);
  for (const id of patch.subjects?.keys ?? []) if (!subjects.has(id)) subjects.set(id, null);
  const assignmentIds = new Set(patch.assignments?.keys ?? []);
  const byId = new Map<string, Assignment>();
  for (const a of patch.assignments?.rows ?? []) {
    assignmentIds.add(a.id);
    byId.set(a.id, a);
  }
  const membershipKeys = new Map<string, Set<string>>();
  const note = (m: GroupMembership) => addPair(membershipKeys, m.groupId, m.memberId);
  for (const m of patch.memberships?.keys ?? []) note(m);
  const pairs = new Map<string, GroupMembership>();
  for (const m of patch.memberships?.rows ?? []) {
    note(m);
    pairs.set(`${m.groupId}\u0000${m.memberId}`, m);
  }
  return {
    subjects,
    assignmentIds,
    assignments: [...byId.values()],
    membershipKeys,
    memberships: [...pairs.values()],
  };
}

/** The overlay of the patched snapshot: the previous one's (or a new one) plus this step. */
function nextOverlay(from: OrgSnapshot, step: PatchStep): Overlay {
  const prev = overlays.get(from);
  const rows = stepRows(step);
  const baseSize = (o: Overlay) =>
    o.base.subjects.length + o.base.assignments.length + o.base.memberships.length;
  // A snapshot that is not a patch, or whose overlay is large: fold into new base arrays.
  if (!prev || prev.rows > OVERLAY_ROWS + baseSize(prev) / 16) {
    return {
      base: {
        subjects: from.subjects,
        assignments: from.assignments,
        memberships: from.memberships,
      },
      log: [step],
      length: 1,
      rows,
    };
  }
  const log = prev.log.length === prev.length ? prev.log : prev.log.slice(0, prev.length);
  log.push(step);
  return { base: prev.base, log, length: log.length, rows: prev.rows + rows };
}

function stepRows(step: PatchStep): number {
  let n = step.subjects.size + step.assignmentIds.size + step.memberships.length;
  for (const members of step.membershipKeys.values()) n += members.size;
  return n;
}

/** Every row changed by the overlay's steps, most recently changed last (null: removed). */
function changedRows(o: Overlay) {
  const subjects = new Map<string, SubjectInfo | null>();
  const assignments = new Map<string, Assignment | null>();
  const memberships = new Map<string, GroupMembership | null>();
  // Deleted first, then set: a changed row moves to the end of the order.
  for (let i = 0; i < o.length; i++) {
    const step = o.log[i]!;
    for (const [id, row] of step.subjects) {
      subjects.delete(id);
      subjects.set(id, row);
    }
    for (const id of step.assignmentIds) assignments.delete(id);
    for (const id of step.assignmentIds) assignments.set(id, null);
    for (const a of step.assignments) {
      assignments.delete(a.id);
      assignments.set(a.id, a);
    }
    for (const [group, members] of step.membershipKeys) {
      for (const member of members) {
        const key = `${group}\u0000${member}`;
        memberships.delete(key);
        memberships.set(key, null);
      }
    }
    for (const m of step.memberships) {
      const key = `${m.groupId}\u0000${m.memberId}`;
      memberships.delete(key);
      memberships.set(key, m);
    }
  }
  return { subjects, assignments, memberships };
}

/** The overlay's arrays: the base's rows not changed since, then the changed rows that exist. */
function fold(o: Overlay): Pick<OrgSnapshot, 'subjects' | 'assignments' | 'memberships'> {
  const changed = changedRows(o);
  const changedPairs = new Map<string, Set<string>>();
  for (const key of changed.memberships.keys()) {
    const cut = key.indexOf('\u0000');
    addPair(changedPairs, key.slice(0, cut), key.slice(cut + 1));
  }
  return {
    subjects: merge(o.base.subjects, changed.subjects, (s) => changed.subjects.has(s.id)),
    assignments: merge(o.base.assignments, changed.assignments, (a) =>
      changed.assignments.has(a.id),
    ),
    memberships: merge(
      o.base.memberships,
      changed.memberships,
      (m) => changedPairs.get(m.groupId)?.has(m.memberId) === true,
    ),
  };
}

function merge<T>(
  base: readonly T[],
  changed: ReadonlyMap<string, T | null>,
  isChanged: (row: T) => boolean,
): readonly T[] {
  if (changed.size === 0) return base;
  const out: T[] = [];
  for (const row of base) if (!isChanged(row)) out.push(row);
  for (const row of changed.values()) if (row !== null) out.push(row);
  return out;
}

function addPair(pairs: Map<string, Set<string>>, group: string, member: string): void {
  const members = pairs.get(group);
  if (members) members.add(member);
  else pairs.set(group, new Set([member]));
}

/**
 * The engine's index, built once from a snapshot: permission bit positions, one bitset per role,
 * the indexed scope tree, and per subject a map from scope to grant masks (own assignments and
 * those of its groups, folded in). A check is then a walk up the scope's ancestors with one map
 * lookup and one bit test each.
 */
import { overrideSlotsOf } from '../inheritance.js';
import { expandPatterns } from '../permission.js';
import { ScopeTree } from '../scope-tree.js';
import type {
  Assignment,
  Environment,
  GroupMembership,
  OrgSnapshot,
  RoleDef,
  SubjectInfo,
  SubjectType,
} from '../snapshot.js';
import { AssignmentLogs } from './assignment-logs.js';
import { overrideNests, resolveGrants } from './override.js';
import { liveEntries, logOf, type SharedLog } from './shared-log.js';
import { CodeChunks, SlotChunks } from './slot-chunks.js';
import { SubjectTable } from './subject-table.js';

const NO_MEMBERS: readonly string[] = Object.freeze([]);

/** Grant masks are stored per environment selector: 0 both, 1 live, 2 sandbox. */
export const ENV_SLOTS = 3;

/** Environment selector of an assignment or a check. */
export function envSlot(env: Environment | null | undefined): number {
  return env === 'live' ? 1 : env === 'sandbox' ? 2 : 0;
}

/**
 * Subjects with at most this many grant scopes are checked by scanning their packed entries;
 * more (an admin of hundreds of workspaces) walk the scope's ancestors through `grants`.
 */
export const SCAN_LIMIT = 12;

/** A subject with its folded grants. */
export interface SubjectRecord {
  readonly info: SubjectInfo;
  readonly type: SubjectType;
  readonly active: boolean;
  /** scope index → offset of its ENV_SLOTS × words masks in `EngineIndex.masks`. */
  readonly grants: Map<number, number>;
  /** Its packed entries in `EngineIndex.entries`: [start, end) in entry units; -1 when walking. */
  start: number;
  end: number;
  /**
   * True when an override slot replaces something for it (./override.ts): its masks hold, per
   * check environment, everything it holds at each grant scope (ancestors and override
   * resolved), and its grant scopes are ordered deepest first; a check reads the deepest one
   * containing the scope. False: masks are per-scope folds, ORed along the ancestors (additive).
   */
  resolved: boolean;
}

/** A subject's record before its grants are folded in. */
export function newRecord(info: SubjectInfo): SubjectRecord {
  return {
    info,
    type: info.type,
    active: info.active,
    grants: new Map(),
    start: 0,
    end: 0,
    resolved: false,
  };
}

/** Why an assignment in the snapshot takes no effect; reported, never silently dropped. */
export interface SkippedAssignment {
  readonly assignment: Assignment;
  readonly problem: string;
}

/**
 * The built index. Immutable once constructed: `deriveEngine` (./derive.ts) builds the next
 * revision's index from this one by sharing what did not change and copying what did, never by
 * writing to anything this index reads.
 */
export class EngineIndex {
  readonly snapshot: OrgSnapshot;
  readonly permBit: Map<string, number>;
  readonly permNames: readonly string[];
  /** 32-bit words per permission bitset. */
  readonly words: number;
  readonly roles: Map<string, RoleDef>;
  readonly roleMasks: Map<string, Uint32Array>;
  /** Role key → a small number, in the snapshot's order (the keys of `rootByRole`). */
  readonly roleIndex: Map<string, number>;
  /**
   * Role key → its slot's number (0, 1, …), for the roles whose slot is `override`
   * (`OrgSnapshot.inheritance`); roles of one slot share a number.
   */
  readonly overrideSlotOf: ReadonlyMap<string, number>;
  /** How many override slots roles use. */
  readonly overrideSlots: number;
  readonly tree: ScopeTree;
  /**
   * Subject id → slot in the per-subject tables (see ./subject-table.ts); shared with the indexes
   * derived from the same full build, append-only, so it may hold ids this index does not know.
   */
  slotOf: Map<string, number>;
  /** Subjects (by id, through their slot). */
  subjects: SubjectTable<SubjectRecord>;
  /** How many subjects there are (removed ones keep an empty slot). */
  subjectCount: number;
  /** memberId → groups it belongs to, in snapshot order. */
  groupsOf: SubjectTable<string[]>;
  /**
   * groupId → its member log (./shared-log.ts); read the members with `members(groupId)`
   * (order not significant: readers fold, sort or collect into sets).
   */
  membersOf: SubjectTable<SharedLog<string>>;
  /** subjectId → its own assignments that take effect, in snapshot order. */
  assignmentsOf: SubjectTable<Assignment[]>;
  /** scope index → assignments placed there that take effect (./assignment-logs.ts). */
  assignmentsAt: AssignmentLogs;
  /** role index (`roleIndex`) → the assignments of `assignmentsAt` at the root with that role. */
  rootByRole: AssignmentLogs;
  /** In snapshot order. */
  skipped: SkippedAssignment[];
  /** Memberships that do not count (./derive.ts reads around them); order not significant. */
  strayMemberships: GroupMembership[];
  /** Assignments and memberships in the snapshot (sizes, read without touching its arrays). */
  assignmentCount: number;
  membershipCount: number;
  /** How this index was made: a full build, or derived by scanning the snapshot or its patch. */
  readBy: 'build' | 'scan' | 'patch' = 'build';
  /** Unknown permissions named by roles (kept for tools; they grant nothing). */
  readonly unknownRolePermissions: ReadonlyArray<{ roleKey: string; permission: string }>;
  masks: Uint32Array;
  /**
   * Packed grants, one entry per (subject, scope): [pre, post, masks (ENV_SLOTS × words)]. A
   * subject's entries are contiguous, so a check reads one or two cache lines instead of one map
   * lookup per ancestor scope; that is what keeps per-check cost flat as orgs grow.
   */
  entries: Uint32Array;
  /**
   * The hot path's subject table: slot → a small integer, so a check touches no record object.
   * `>= 0`: packed additive, `start * 16 + count`; `-1`: inactive or removed; `<= -2`: checked
   * through its record, `walkers[-code - 2]`.
   */
  codes: CodeChunks;
  /**
   * Subjects checked through their record: more than SCAN_LIMIT grant scopes (they walk the
   * ancestors), or resolved override grants (read deepest first, packed or walking); so the
   * additive packed path stays as it was.
   */
  walkers: SubjectRecord[];
  /** 32-bit words per packed entry. */
  readonly stride: number;
  /** Mask words allocated in `masks`. */
  used = 0;
  /** False while `masks` is still the base index's array (see `reserveMasks`). */
  private ownsMasks = true;
  /**
   * How far the indexes sharing `masks` have written (one object per array). A derived index
   * may write past its base's `used` in the same array only while no other index has (its
   * base's records never read there); a second derive from the same base copies instead.
   */
  private masksTail: { end: number } = { end: 0 };
  /** Packed entries in use in `entries` (the array may have room for more). */
  entryCount = 0;
  /** As `masksTail`, for `entries`. */
  private entriesTail: { end: number } = { end: 0 };
  /** 0 for a full build; one more than the base's for a derived index. */
  readonly generation: number;
  /** Mask words in `masks` that no record uses any more (left behind by derives). */
  deadMasks = 0;
  /** Packed entries in `entries` that no record uses any more (left behind by derives). */
  deadEntries = 0;

  /**
   * A full build from `snapshot`; or, with `base`, the start of a derived index: everything
   * shared with `base` until `deriveIndex` replaces what the write changed with copies (tables,
   * codes, walkers) and `reserveMasks` / `appendEntries` copy the mask and entry arrays.
   */
  constructor(snapshot: OrgSnapshot, base?: EngineIndex) {
    this.snapshot = snapshot;
    if (base) {
      this.generation = base.generation + 1;
      this.permBit = base.permBit;
      this.permNames = base.permNames;
      this.words = base.words;
      this.roles = base.roles;
      this.roleMasks = base.roleMasks;
      this.roleIndex = base.roleIndex;
      this.overrideSlotOf = base.overrideSlotOf;
      this.overrideSlots = base.overrideSlots;
      this.unknownRolePermissions = base.unknownRolePermissions;
      this.tree = base.tree;
      this.stride = base.stride;
      this.slotOf = base.slotOf;
      this.subjects = base.subjects;
      this.subjectCount = base.subjectCount;
      this.codes = base.codes;
      this.walkers = base.walkers;
      this.groupsOf = base.groupsOf;
      this.membersOf = base.membersOf;
      this.assignmentsOf = base.assignmentsOf;
      this.assignmentsAt = base.assignmentsAt;
      this.rootByRole = base.rootByRole;
      this.skipped = base.skipped;
      this.strayMemberships = base.strayMemberships;
      this.assignmentCount = base.assignmentCount;
      this.membershipCount = base.membershipCount;
      this.masks = base.masks;
      this.ownsMasks = false;
      this.masksTail = base.masksTail;
      this.used = base.used;
      this.entries = base.entries;
      this.entryCount = base.entryCount;
      this.entriesTail = base.entriesTail;
      this.deadMasks = base.deadMasks;
      this.deadEntries = base.deadEntries;
      return;
    }
    this.generation = 0;
    this.permBit = new Map();
    this.permNames = snapshot.permissions.map((p) => p.name);
    this.permNames.forEach((name, i) => {
      this.permBit.set(name, i);
    });
    this.words = Math.max(1, Math.ceil(this.permNames.length / 32));
    this.roles = new Map();
    this.roleMasks = new Map();
    this.roleIndex = new Map();
    const unknownPermissions: Array<{ roleKey: string; permission: string }> = [];
    for (const role of snapshot.roles) {
      this.roles.set(role.key, role);
      const { names, unknown } = expandPatterns(snapshot.permissions, role.permissions);
      for (const u of unknown) unknownPermissions.push({ roleKey: role.key, permission: u });
      const mask = new Uint32Array(this.words);
      for (const name of names) {
        const bit = this.permBit.get(name)!;
        mask[bit >>> 5]! |= 1 << (bit & 31);
      }
      this.roleMasks.set(role.key, mask);
      if (!this.roleIndex.has(role.key)) this.roleIndex.set(role.key, this.roleIndex.size);
    }
    this.unknownRolePermissions = unknownPermissions;
    const slotNumbers = new Map<string, number>();
    this.overrideSlotOf = new Map(
      [...overrideSlotsOf(snapshot.roles, snapshot.inheritance)].map(([role, slot]) => {
        if (!slotNumbers.has(slot)) slotNumbers.set(slot, slotNumbers.size);
        return [role, slotNumbers.get(slot)!];
      }),
    );
    this.overrideSlots = slotNumbers.size;
    this.tree = new ScopeTree(snapshot.scopes);
    const slotOf = new Map<string, number>();
    const records: SubjectRecord[] = [];
    for (const info of snapshot.subjects) {
      const rec = newRecord(info);
      const slot = slotOf.get(info.id);
      if (slot === undefined) {
        slotOf.set(info.id, records.length);
        records.push(rec);
      } else records[slot] = rec; // a repeated id: the last row wins
    }
    this.slotOf = slotOf;
    this.subjects = new SubjectTable(slotOf, SlotChunks.of(records));
    this.subjectCount = records.length;
    this.groupsOf = new SubjectTable(slotOf, SlotChunks.sized<string[]>(records.length));
    const memberLists = SlotChunks.sized<string[]>(records.length);
    this.assignmentsOf = new SubjectTable(slotOf, SlotChunks.sized<Assignment[]>(records.length));
    this.assignmentsAt = AssignmentLogs.empty(this.tree.nodes.length);
    this.rootByRole = AssignmentLogs.empty(this.roleIndex.size);
    this.skipped = [];
    this.strayMemberships = [];
    this.assignmentCount = snapshot.assignments.length;
    this.membershipCount = snapshot.memberships.length;
    this.codes = CodeChunks.empty(records.length);
    this.walkers = [];
    this.entries = new Uint32Array(0);
    for (const m of snapshot.memberships) {
      if (!countsAsMembership(this.subjects.get(m.memberId), this.subjects.get(m.groupId))) {
        this.strayMemberships.push(m);
        continue;
      }
      this.groupsOf.pushAt(slotOf.get(m.memberId)!, m.groupId);
      const g = slotOf.get(m.groupId)!;
      const list = memberLists.get(g);
      if (list) list.push(m.memberId);
      else memberLists.set(g, [m.memberId]);
    }
    const memberLogs = SlotChunks.sized<SharedLog<string>>(records.length);
    for (let slot = 0; slot < records.length; slot++) {
      const list = memberLists.get(slot);
      if (list) memberLogs.set(slot, logOf(list));
    }
    this.membersOf = new SubjectTable(slotOf, memberLogs);
    this.masks = new Uint32Array(
      Math.max(16, snapshot.assignments.length * ENV_SLOTS * this.words),
    );
    const reached = new Map<SubjectRecord, number>();
    for (const a of snapshot.assignments) this.apply(a, reached);
    for (const [rec, count] of reached) {
      // One override-slot assignment replaces nothing; two may, when nested.
      if (count < 2) continue;
      const lists = this.assignmentsReaching(rec.info.id);
      if (overrideNests(this, lists)) resolveGrants(this, rec, lists);
    }
    this.stride = 2 + ENV_SLOTS * this.words;
    this.pack(records);
  }

  /** Packs the built records (`records[slot]`, as the build made them). */
  private pack(records: readonly SubjectRecord[]): void {
    let total = 0;
    for (const rec of records) if (rec.grants.size <= SCAN_LIMIT) total += rec.grants.size;
    this.entries = new Uint32Array(total * this.stride);
    this.entryCount = total;
    this.entriesTail = { end: total };
    this.masksTail = { end: this.used };
    this.packInto(records, 0);
    records.forEach((rec, slot) => {
      this.setCode(slot, rec);
    });
  }

  /**
   * Writes the records' packed entries from entry `at` on and sets their `start` / `end`;
   * records with more than SCAN_LIMIT grant scopes get -1 (they walk).
   */
  private packInto(records: Iterable<SubjectRecord>, at: number): void {
    const entries = this.entries;
    const stride = this.stride;
    const size = ENV_SLOTS * this.words;
    for (const rec of records) {
      if (rec.grants.size > SCAN_LIMIT) {
        rec.start = -1;
        rec.end = -1;
        continue;
      }
      rec.start = at;
      for (const [scope, offset] of rec.grants) {
        const base = at * stride;
        entries[base] = this.tree.pre[scope]!;
        entries[base + 1] = this.tree.post[scope]!;
        entries.set(this.masks.subarray(offset, offset + size), base + 2);
        at++;
      }
      rec.end = at;
    }
  }

  /**
   * Derived indexes: packs new records after the existing entries, in a new array (the base
   * index keeps reading its own).
   */
  appendEntries(records: readonly SubjectRecord[]): void {
    let total = 0;
    for (const rec of records) if (rec.grants.size <= SCAN_LIMIT) total += rec.grants.size;
    const at = this.entryCount;
    const need = (at + total) * this.stride;
    // In place when nothing was appended past this index's entries and there is room; else a
    // copy with room for later derives to append in place.
    if (this.entriesTail.end !== at || need > this.entries.length) {
      const entries = new Uint32Array(need + headroom(at) * this.stride);
      entries.set(this.entries.subarray(0, at * this.stride));
      this.entries = entries;
      this.entriesTail = { end: at };
    }
    this.entryCount = at + total;
    this.entriesTail.end = this.entryCount;
    this.packInto(records, at);
  }

  /**
   * Sets the hot-path code of the packed record at `slot`. A walking one takes walker `walker`
   * when given (a derived index reusing its previous record's), else a new one.
   */
  setCode(slot: number, rec: SubjectRecord, walker?: number): void {
    if (!rec.active) this.codes.set(slot, -1);
    else if (rec.start >= 0 && !rec.resolved)
      this.codes.set(slot, rec.start * 16 + (rec.end - rec.start));
    else if (walker !== undefined) {
      this.walkers[walker] = rec;
      this.codes.set(slot, -2 - walker);
    } else this.codes.set(slot, -2 - (this.walkers.push(rec) - 1));
  }

  /** Why an assignment would take no effect, or null when it is sound. */
  problemOf(a: Assignment): string | null {
    return this.problemFor(a, this.subjects.get(a.subjectId)?.info);
  }

  /** `problemOf` against a given row of the assignment's subject (`undefined`: none). */
  problemFor(a: Assignment, subject: SubjectInfo | undefined): string | null {
    if (!subject) return `unknown subject ${a.subjectId}`;
    const role = this.roles.get(a.roleKey);
    if (!role) return `unknown role ${a.roleKey}`;
    const scope = this.tree.indexOf(a.scopeId);
    if (scope === undefined) return `unknown scope ${a.scopeId}`;
    const kind = this.tree.nodes[scope]!.kind;
    if (role.scopeKinds && !role.scopeKinds.includes(kind)) {
      return `role ${role.key} cannot be held at a ${kind}`;
    }
    if (subject.type === 'group' && !this.groupMayHoldAt(subject, scope)) {
      return `group ${subject.id} is limited to other scopes than ${a.scopeId}`;
    }
    return null;
  }

  /** The members of a group (its member log's live entries); empty for anything else. */
  members(groupId: string): readonly string[] {
    const list = this.membersOf.get(groupId);
    if (list === undefined) return NO_MEMBERS;
    return liveEntries(list, (m) => this.groupsOf.get(m)?.includes(groupId) === true);
  }

  /** True when a group's scope limits (seed 003 tenant groups) include the scope. */
  groupMayHoldAt(group: SubjectInfo, scope: number): boolean {
    if (!group.limitedTo) return true;
    for (const limit of group.limitedTo) {
      const l = this.tree.indexOf(limit);
      if (l !== undefined && this.tree.isWithin(scope, l)) return true;
    }
    return false;
  }

  /**
   * Indexes and folds a sound assignment (skips an unsound one); counts in `reached`, per
   * record, the override-slot assignments reaching it, to resolve (where needed) once all are
   * folded.
   */
  private apply(a: Assignment, reached: Map<SubjectRecord, number>): void {
    const problem = this.problemOf(a);
    if (problem) {
      this.skipped.push({ assignment: a, problem });
      return;
    }
    const scope = this.tree.indexOf(a.scopeId)!;
    this.assignmentsOf.pushAt(this.slotOf.get(a.subjectId)!, a);
    this.assignmentsAt.buildPush(scope, a);
    if (scope === this.tree.root) this.rootByRole.buildPush(this.roleIndex.get(a.roleKey)!, a);
    const mask = this.roleMasks.get(a.roleKey)!;
    const slot = envSlot(a.environment);
    const subject = this.subjects.get(a.subjectId)!;
    const overrides = this.overrideSlotOf.has(a.roleKey);
    this.foldInto(subject, scope, slot, mask);
    if (overrides) reached.set(subject, (reached.get(subject) ?? 0) + 1);
    if (subject.type === 'group' && subject.active) {
      for (const memberId of this.members(subject.info.id)) {
        const member = this.subjects.get(memberId)!;
        this.foldInto(member, scope, slot, mask);
        if (overrides) reached.set(member, (reached.get(member) ?? 0) + 1);
      }
    }
  }

  /** The assignment lists that reach a subject: its own, then each active group's. */
  assignmentsReaching(id: string): Assignment[][] {
    const out = [this.assignmentsOf.get(id) ?? []];
    for (const g of this.groupsOf.get(id) ?? []) {
      if (this.subjects.get(g)!.active) out.push(this.assignmentsOf.get(g) ?? []);
    }
    return out;
  }

  /** ORs a role's mask into the subject's grants at a scope, for an environment selector. */
  foldInto(subject: SubjectRecord, scope: number, slot: number, mask: Uint32Array): void {
    let offset = subject.grants.get(scope);
    if (offset === undefined) {
      offset = this.allocate();
      subject.grants.set(scope, offset);
    }
    const base = offset + slot * this.words;
    for (let w = 0; w < this.words; w++) this.masks[base + w]! |= mask[w]!;
  }

  /**
   * Room for `words` more mask words in an array this index owns: a derived index copies the
   * base's masks before its first write, so the base never sees a change.
   */
  reserveMasks(words: number): void {
    const need = this.used + words;
    if (this.ownsMasks && need <= this.masks.length) return;
    // A derived index appends in place past its base's words when no other index has.
    if (!this.ownsMasks && this.masksTail.end === this.used && need <= this.masks.length) {
      this.ownsMasks = true;
      return;
    }
    const masks = new Uint32Array(need + (this.ownsMasks ? 0 : headroom(this.used)));
    masks.set(this.masks.subarray(0, this.used));
    this.masks = masks;
    this.masksTail = { end: this.used };
    this.ownsMasks = true;
  }

  private allocate(): number {
    const size = ENV_SLOTS * this.words;
    if (!this.ownsMasks || this.used + size > this.masks.length) {
      this.reserveMasks(Math.max(size, this.used));
    }
    const offset = this.used;
    this.used += size;
    this.masksTail.end = this.used;
    return offset;
  }

  /**
   * The larger share of dead packed entries and dead mask words (0 after a full build); past a
   * limit, deriving gives way to a full build, which compacts.
   */
  get garbageShare(): number {
    const entries = this.entryCount;
    return Math.max(
      entries === 0 ? 0 : this.deadEntries / entries,
      this.used === 0 ? 0 : this.deadMasks / this.used,
    );
  }

  /** Bytes of live grant masks (for the benchmark's memory figure; a derive's garbage excluded). */
  get maskBytes(): number {
    return (this.used - this.deadMasks) * 4;
  }
}

/** A membership counts only from a group to a user or client; anything else is ignored. */
export function countsAsMembership(
  member: { readonly type: SubjectType } | undefined,
  group: { readonly type: SubjectType } | undefined,
): boolean {
  return member !== undefined && member.type !== 'group' && group?.type === 'group';
}

/** Appends `value` to the list under `key`. */
export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Spare room a derive's copy leaves (an eighth), so the next derives append in place. */
function headroom(used: number): number {
  return used >>> 3;
}

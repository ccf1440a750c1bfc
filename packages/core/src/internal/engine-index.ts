/**
 * The engine's index, built once from a snapshot: permission bit positions, one bitset per role,
 * the indexed scope tree, and per subject a map from scope to grant masks (own assignments and
 * those of its groups, folded in). A check is then a walk up the scope's ancestors with one map
 * lookup and one bit test each.
 */
import { expandPatterns } from '../permission.js';
import { ScopeTree } from '../scope-tree.js';
import type {
  Assignment,
  Environment,
  OrgSnapshot,
  RoleDef,
  SubjectInfo,
  SubjectType,
} from '../snapshot.js';

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
}

/** Why an assignment in the snapshot takes no effect; reported, never silently dropped. */
export interface SkippedAssignment {
  readonly assignment: Assignment;
  readonly problem: string;
}

/** The built index. Immutable once constructed. */
export class EngineIndex {
  readonly snapshot: OrgSnapshot;
  readonly permBit = new Map<string, number>();
  readonly permNames: string[];
  /** 32-bit words per permission bitset. */
  readonly words: number;
  readonly roles = new Map<string, RoleDef>();
  readonly roleMasks = new Map<string, Uint32Array>();
  readonly tree: ScopeTree;
  readonly subjects = new Map<string, SubjectRecord>();
  /** memberId → groups it belongs to. */
  readonly groupsOf = new Map<string, string[]>();
  /** groupId → its members. */
  readonly membersOf = new Map<string, string[]>();
  /** subjectId → its own assignments that take effect. */
  readonly assignmentsOf = new Map<string, Assignment[]>();
  /** scope index → assignments placed there that take effect. */
  readonly assignmentsAt = new Map<number, Assignment[]>();
  readonly skipped: SkippedAssignment[] = [];
  /** Unknown permissions named by roles (kept for tools; they grant nothing). */
  readonly unknownRolePermissions: Array<{ roleKey: string; permission: string }> = [];
  masks: Uint32Array;
  /**
   * Packed grants, one entry per (subject, scope): [pre, post, masks (ENV_SLOTS × words)]. A
   * subject's entries are contiguous, so a check reads one or two cache lines instead of one map
   * lookup per ancestor scope; that is what keeps per-check cost flat as orgs grow.
   */
  entries: Uint32Array = new Uint32Array(0);
  /**
   * The hot path's subject table: id → a small integer, so a check touches no record object.
   * `>= 0`: packed, `start * 16 + count`; `-1`: inactive; `<= -2`: walk `walkers[-code - 2]`.
   */
  readonly hot = new Map<string, number>();
  /** Subjects with more than SCAN_LIMIT grant scopes (checked by walking ancestors). */
  readonly walkers: SubjectRecord[] = [];
  /** 32-bit words per packed entry. */
  readonly stride: number;
  private used = 0;

  constructor(snapshot: OrgSnapshot) {
    this.snapshot = snapshot;
    this.permNames = snapshot.permissions.map((p) => p.name);
    this.permNames.forEach((name, i) => {
      this.permBit.set(name, i);
    });
    this.words = Math.max(1, Math.ceil(this.permNames.length / 32));
    for (const role of snapshot.roles) {
      this.roles.set(role.key, role);
      const { names, unknown } = expandPatterns(snapshot.permissions, role.permissions);
      for (const u of unknown)
        this.unknownRolePermissions.push({ roleKey: role.key, permission: u });
      const mask = new Uint32Array(this.words);
      for (const name of names) {
        const bit = this.permBit.get(name)!;
        mask[bit >>> 5]! |= 1 << (bit & 31);
      }
      this.roleMasks.set(role.key, mask);
    }
    this.tree = new ScopeTree(snapshot.scopes);
    for (const info of snapshot.subjects) {
      this.subjects.set(info.id, {
        info,
        type: info.type,
        active: info.active,
        grants: new Map(),
        start: 0,
        end: 0,
      });
    }
    for (const m of snapshot.memberships) {
      const member = this.subjects.get(m.memberId);
      if (!member || member.type === 'group' || this.subjects.get(m.groupId)?.type !== 'group') {
        continue;
      }
      push(this.groupsOf, m.memberId, m.groupId);
      push(this.membersOf, m.groupId, m.memberId);
    }
    this.masks = new Uint32Array(
      Math.max(16, snapshot.assignments.length * ENV_SLOTS * this.words),
    );
    for (const a of snapshot.assignments) this.apply(a);
    this.stride = 2 + ENV_SLOTS * this.words;
    this.pack();
  }

  private pack(): void {
    let total = 0;
    for (const rec of this.subjects.values()) {
      if (rec.grants.size <= SCAN_LIMIT) total += rec.grants.size;
    }
    const stride = this.stride;
    const size = ENV_SLOTS * this.words;
    const entries = new Uint32Array(total * stride);
    let at = 0;
    for (const rec of this.subjects.values()) {
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
    this.entries = entries;
    for (const [id, rec] of this.subjects) {
      if (!rec.active) this.hot.set(id, -1);
      else if (rec.start >= 0) this.hot.set(id, rec.start * 16 + (rec.end - rec.start));
      else this.hot.set(id, -2 - (this.walkers.push(rec) - 1));
    }
  }

  /** Why an assignment would take no effect, or null when it is sound. */
  problemOf(a: Assignment): string | null {
    const subject = this.subjects.get(a.subjectId);
    if (!subject) return `unknown subject ${a.subjectId}`;
    const role = this.roles.get(a.roleKey);
    if (!role) return `unknown role ${a.roleKey}`;
    const scope = this.tree.indexOf(a.scopeId);
    if (scope === undefined) return `unknown scope ${a.scopeId}`;
    const kind = this.tree.nodes[scope]!.kind;
    if (role.scopeKinds && !role.scopeKinds.includes(kind)) {
      return `role ${role.key} cannot be held at a ${kind}`;
    }
    if (subject.type === 'group' && !this.groupMayHoldAt(subject.info, scope)) {
      return `group ${subject.info.id} is limited to other scopes than ${a.scopeId}`;
    }
    return null;
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

  private apply(a: Assignment): void {
    const problem = this.problemOf(a);
    if (problem) {
      this.skipped.push({ assignment: a, problem });
      return;
    }
    const scope = this.tree.indexOf(a.scopeId)!;
    push(this.assignmentsOf, a.subjectId, a);
    push(this.assignmentsAt, scope, a);
    const mask = this.roleMasks.get(a.roleKey)!;
    const slot = envSlot(a.environment);
    const subject = this.subjects.get(a.subjectId)!;
    this.orInto(subject, scope, slot, mask);
    if (subject.type === 'group' && subject.active) {
      for (const memberId of this.membersOf.get(subject.info.id) ?? []) {
        this.orInto(this.subjects.get(memberId)!, scope, slot, mask);
      }
    }
  }

  private orInto(subject: SubjectRecord, scope: number, slot: number, mask: Uint32Array): void {
    let offset = subject.grants.get(scope);
    if (offset === undefined) {
      offset = this.allocate();
      subject.grants.set(scope, offset);
    }
    const base = offset + slot * this.words;
    for (let w = 0; w < this.words; w++) this.masks[base + w]! |= mask[w]!;
  }

  private allocate(): number {
    const size = ENV_SLOTS * this.words;
    if (this.used + size > this.masks.length) {
      const bigger = new Uint32Array(this.masks.length * 2);
      bigger.set(this.masks);
      this.masks = bigger;
    }
    const offset = this.used;
    this.used += size;
    return offset;
  }

  /** Bytes held by the grant masks (for the benchmark's memory figure). */
  get maskBytes(): number {
    return this.used * 4;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

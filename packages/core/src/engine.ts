/**
 * The engine: built once from an org snapshot, then answers every permission question with no
 * I/O. The same code runs on the server and, from a fetched snapshot, in the SDK (C7).
 */
import { type AccessSource, accessSources } from './access.js';
import {
  type AssignRequest,
  canAssign,
  type SlotQuery,
  slotConflicts,
  slotHoldersAbove,
} from './assignment-rules.js';
import { type CheckRequest, precheck } from './check.js';
import { type Decision, deny, GRANTED } from './decision.js';
import { type Explanation, explain } from './explain.js';
import { DERIVE_LIMITS, type DeriveLimits, deriveIndex } from './internal/derive.js';
import { EngineIndex, type SkippedAssignment } from './internal/engine-index.js';
import { effectiveMask, hasBit, holdsBit, scanBit } from './internal/grants.js';
import { findInvariantViolations, type InvariantViolation } from './invariants.js';
import {
  type ListOptions,
  type ListSubjectsOptions,
  listScopes,
  type Page,
  pageOfSubjects,
  type ScopeRef,
  type SubjectAccess,
  SubjectList,
} from './listing.js';
import type { Assignment, Environment, OrgSnapshot, RoleDef, SubjectInfo } from './snapshot.js';

const SUBJECT_LIST_CACHE = 64;

/** Checks for one subject, resolved once (see `Engine.forSubject`). */
export interface SubjectChecker {
  can(permission: string, scope: string, environment?: Environment): boolean;
}

const DENY_ALL: SubjectChecker = Object.freeze({ can: () => false });

/** The fixed part of `Engine.estimatedBytes` (roles, permission tables, maps). */
const ENGINE_FIXED_BYTES = 16 * 1024;
/** Bytes per subject, assignment, membership and scope in `Engine.estimatedBytes` (measured). */
const ENGINE_BYTES_PER_ITEM = 360;

/** Reads an engine's private index (set up in `Engine`'s static block; for `deriveEngine`). */
let indexOf: (engine: Engine) => EngineIndex;

/**
 * Answers permission questions for one organization at one revision.
 *
 * @example
 * const engine = createEngine(snapshot);
 * engine.can('usr_1', 'flows.write', 'ws_3');                       // true | false
 * engine.check({ subject: 'usr_1', permission: 'flows.write', scope: 'ws_3' });
 * // { allowed: false, code: 'no_grant', reason: 'usr_1 lacks flows.write on ws_3: holds viewer@org_1, ...' }
 */
export class Engine {
  /** The org this engine answers for. */
  readonly orgId: string;
  /** The org revision it reflects (C6). */
  readonly revision: number;
  private readonly index: EngineIndex;
  private readonly subjectLists = new Map<string, SubjectList>();

  static {
    indexOf = (engine) => engine.index;
  }

  /**
   * Builds the engine for `snapshot`. `index` is internal: an index `deriveEngine` derived for
   * exactly this snapshot.
   */
  constructor(snapshot: OrgSnapshot, index?: EngineIndex) {
    this.orgId = snapshot.orgId;
    this.revision = snapshot.revision;
    this.index = index ?? new EngineIndex(snapshot);
  }

  /** The snapshot it was built from. */
  get snapshot(): OrgSnapshot {
    return this.index.snapshot;
  }

  /** Assignments in the snapshot that take no effect, and why (dangling ids, wrong scope kind). */
  get skippedAssignments(): readonly SkippedAssignment[] {
    return this.index.skipped;
  }

  /**
   * About how many bytes of heap this engine and its snapshot hold: a fixed part plus a constant
   * per subject, assignment, group membership and scope. The constant was measured
   * (`pnpm --filter @gatehouse/bench bench:memory`, which prints this estimate beside the measured
   * heap): 300–360 bytes per item from 100 to 1M users. Engine caches budget memory by it.
   */
  get estimatedBytes(): number {
    const i = this.index;
    const items = i.subjectCount + i.assignmentCount + i.membershipCount + i.tree.nodes.length;
    return ENGINE_FIXED_BYTES + ENGINE_BYTES_PER_ITEM * items;
  }

  /**
   * How this engine was made: `build` (from scratch), or derived from the previous one by reading
   * the write's patch (`patch`, the cost of what changed; see `patchSnapshot`) or by scanning the
   * new snapshot (`scan`). A diagnostic for caches and benchmarks; answers are the same.
   */
  get madeBy(): 'build' | 'patch' | 'scan' {
    return this.index.readBy;
  }

  /** Bytes of live grant masks (benchmark figure; the same for a derived engine as a built one). */
  get maskBytes(): number {
    return this.index.maskBytes;
  }

  /**
   * The hot path (C1): true when `subject` may do `permission` at `scope`. Positional arguments
   * and a boolean answer so a check allocates nothing; `check()` says why.
   */
  can(subject: string, permission: string, scope: string, environment?: Environment): boolean {
    const index = this.index;
    const slot = index.slotOf.get(subject);
    if (slot === undefined) return false;
    // Undefined: an id another engine derived from the same build appended to the shared map.
    const code = index.codes.get(slot);
    if (code === undefined || code === -1) return false;
    const bit = index.permBit.get(permission);
    if (bit === undefined) return false;
    const s = index.tree.indexOf(scope);
    if (s === undefined) return false;
    return holdsAt(index, code, bit, s, environment);
  }

  /**
   * The subject resolved once, for many checks in one request: `engine.forSubject(userId)
   * .can('flows.write', scopeId)` skips the subject lookup on every call.
   */
  forSubject(subject: string): SubjectChecker {
    const rec = this.index.subjects.get(subject);
    const index = this.index;
    if (rec === undefined || !rec.active) return DENY_ALL;
    return {
      can(permission, scope, environment) {
        const bit = index.permBit.get(permission);
        const s = index.tree.indexOf(scope);
        return bit !== undefined && s !== undefined && holdsBit(index, rec, bit, s, environment);
      },
    };
  }

  /**
   * C1 with a reason: `{ allowed, code, reason }`. Each id is looked up once; a reason is
   * formatted only for a denial, and a grant is the shared `GRANTED` object.
   */
  check(req: CheckRequest): Decision {
    const index = this.index;
    const slot = index.slotOf.get(req.subject);
    const code = slot === undefined ? undefined : index.codes.get(slot);
    const bit = index.permBit.get(req.permission);
    const s = index.tree.indexOf(req.scope);
    if (code === undefined || code === -1 || bit === undefined || s === undefined) {
      const early = precheck(index, req);
      if (early) return early;
    } else if (holdsAt(index, code, bit, s, req.environment)) return GRANTED;
    const env = req.environment ? ` in ${req.environment}` : '';
    return deny(
      'no_grant',
      `${req.subject} has no role granting ${req.permission} on ${req.scope} or above${env}`,
    );
  }

  /** C2: one decision per request, in order. */
  checkMany(requests: readonly CheckRequest[]): Decision[] {
    return requests.map((r) => this.check(r));
  }

  /** C2 without reasons: whether each request is allowed, in order (`can` for each). */
  canMany(requests: readonly CheckRequest[]): boolean[] {
    const out = new Array<boolean>(requests.length);
    for (let i = 0; i < requests.length; i++) {
      const r = requests[i]!;
      out[i] = this.can(r.subject, r.permission, r.scope, r.environment);
    }
    return out;
  }

  /** C3: the assignment, group and inheritance path that grants, or why nothing does. */
  explain(req: CheckRequest): Explanation {
    return explain(this.index, req, (r) => precheck(this.index, r));
  }

  /**
   * C4: every permission the subject holds at the scope (own, through groups, inherited), in
   * catalog order. Empty for unknown or deactivated subjects and unknown scopes.
   */
  effectivePermissions(subject: string, scope: string, environment?: Environment): string[] {
    const rec = this.index.subjects.get(subject);
    const s = this.index.tree.indexOf(scope);
    if (!rec?.active || s === undefined) return [];
    const mask = effectiveMask(this.index, rec, s, environment);
    return this.index.permNames.filter((_, bit) => hasBit(mask, bit));
  }

  /** Every assignment reaching the subject at the scope, in any environment (member lists). */
  accessAt(subject: string, scope: string): AccessSource[] {
    const s = this.index.tree.indexOf(scope);
    if (s === undefined || !this.index.subjects.has(subject)) return [];
    return accessSources(this.index, subject, s);
  }

  /** C5: scopes where the subject has the permission, sorted by id, one page per call. */
  listScopes(subject: string, permission: string, options: ListOptions = {}): Page<ScopeRef> {
    const bit = this.index.permBit.get(permission);
    if (bit === undefined) return { items: [], nextCursor: null };
    return listScopes(this.index, subject, bit, options);
  }

  /**
   * C5 / T3: subjects with the permission on the scope, sorted by id, marked `direct` ("Member")
   * or `inherited` with their sources.
   */
  listSubjects(
    scope: string,
    permission: string,
    options: ListSubjectsOptions = {},
  ): Page<SubjectAccess> {
    const bit = this.index.permBit.get(permission);
    const s = this.index.tree.indexOf(scope);
    if (bit === undefined || s === undefined) return pageOfSubjects(null, options);
    const key = `${s}\u0000${bit}\u0000${options.environment ?? ''}`;
    let all = this.subjectLists.get(key);
    if (!all) {
      all = new SubjectList(this.index, s, bit, options.environment);
      if (this.subjectLists.size >= SUBJECT_LIST_CACHE) {
        this.subjectLists.delete(this.subjectLists.keys().next().value!);
      }
      this.subjectLists.set(key, all);
    }
    return pageOfSubjects(all, options);
  }

  /** R6: may the actor give this role at this scope? */
  canAssign(req: AssignRequest): Decision {
    return canAssign(this.index, req);
  }

  /** R5: assignments the new one would collide with in its exclusive slot. */
  slotConflicts(q: SlotQuery): Assignment[] {
    return slotConflicts(this.index, q);
  }

  /**
   * R5 seed 002: the subject's assignments above `q.scope` in `q.role`'s exclusive slot — what
   * giving it `q.role` there ends when the preset moves scoped holders down
   * (`Preset.scopedRoleMovesDown`).
   *
   * @example
   * engine.slotHoldersAbove({ subject: 'usr_1', role: 'manager', scope: 'scp_lending' });
   * // [{ id: 'asg_7', roleKey: 'default', scopeId: 'org_1', ... }]
   */
  slotHoldersAbove(q: SlotQuery): Assignment[] {
    return slotHoldersAbove(this.index, q);
  }

  /** M7: invariants the snapshot breaks (empty when all hold). */
  invariantViolations(): InvariantViolation[] {
    return findInvariantViolations(this.index.snapshot);
  }

  /** A role by key. */
  role(key: string): RoleDef | undefined {
    return this.index.roles.get(key);
  }

  /** True when the subject id exists in this org (any type, active or not). */
  hasSubject(subject: string): boolean {
    return this.index.subjects.has(subject);
  }

  /** The subject's row (the last one, should the snapshot repeat an id), or undefined. */
  subject(subject: string): SubjectInfo | undefined {
    return this.index.subjects.get(subject)?.info;
  }

  /**
   * M7: active users holding `roleKey` at the root, directly or through an active group placed
   * there, sorted — what `requiredRoleHolders(engine.snapshot, roleKey)` answers, read from the
   * index at the cost of the root's assignments of that role and those groups' members rather than a pass
   * over the org (a write checks its invariants with it).
   */
  requiredRoleHolders(roleKey: string): string[] {
    const index = this.index;
    const holders = new Set<string>();
    const role = index.roleIndex.get(roleKey);
    if (role === undefined) return [];
    // Only assignments that take effect are indexed: a skipped one holds nothing up.
    for (const a of index.rootByRole.live(role, index.assignmentsOf)) {
      if (a.environment !== null) continue;
      const s = index.subjects.get(a.subjectId);
      if (!s?.active) continue;
      if (s.type === 'user') holders.add(a.subjectId);
      if (s.type !== 'group') continue;
      for (const m of index.members(a.subjectId)) {
        const member = index.subjects.get(m);
        if (member?.active && member.type === 'user') holders.add(m);
      }
    }
    return [...holders].sort();
  }

  /** The scope and every scope below it (ids); empty for an unknown scope. */
  scopesBelow(scope: string): string[] {
    const s = this.index.tree.indexOf(scope);
    if (s === undefined) return [];
    const out: string[] = [];
    const stack = [s];
    while (stack.length > 0) {
      const cur = stack.pop()!;
      out.push(this.index.tree.nodes[cur]!.id);
      stack.push(...this.index.tree.childrenOf(cur));
    }
    return out;
  }

  /** True when the scope id exists in this org. */
  hasScope(scope: string): boolean {
    return this.index.tree.indexOf(scope) !== undefined;
  }
}

/** Builds an engine from a snapshot. Throws `ScopeTreeError` when the scopes are not one tree. */
export function createEngine(snapshot: OrgSnapshot): Engine {
  return new Engine(snapshot);
}

/**
 * The engine for `snapshot`, the next state of `previous`'s org, derived from `previous` instead
 * of built from scratch: only the records of the subjects a write touched are rebuilt (on a
 * 100k-member org, tens of milliseconds instead of hundreds). It answers every question
 * exactly as `createEngine(snapshot)` would, and `previous` keeps answering for its own snapshot
 * (nothing it reads is written), so both may serve requests at once.
 *
 * `affected` must hold the id of every subject (user, group, client) whose own row, own
 * assignments (old or new) or group memberships (both sides: the member and the group) differ
 * between `previous.snapshot` and `snapshot`. Everything else must be unchanged and in the same
 * relative order; rows of unaffected subjects must be the very objects of `previous.snapshot`
 * (patching the snapshot by dropping changed rows and appending their new versions does all
 * this). `permissions`, `roles` and `scopes` must be the same arrays when they did not change.
 *
 * Falls back to `createEngine(snapshot)` when sharing is not safe or not worth it: the catalog,
 * roles or scopes are other arrays than `previous.snapshot`'s, or the slots' inheritance differs; the affected subjects plus the
 * members of affected groups whose grants changed exceed a tenth of the org's subjects; the
 * garbage earlier derives left in `previous` exceeds half (a full build compacts); or the skipped
 * assignments of unaffected subjects are not the same objects as before.
 */
export function deriveEngine(
  previous: Engine,
  snapshot: OrgSnapshot,
  affected: ReadonlySet<string>,
): Engine {
  return deriveEngineWith(previous, snapshot, affected, DERIVE_LIMITS);
}

/** `deriveEngine` with its fallback limits given (internal: tests derive tiny orgs). */
export function deriveEngineWith(
  previous: Engine,
  snapshot: OrgSnapshot,
  affected: ReadonlySet<string>,
  limits: DeriveLimits,
): Engine {
  const index = deriveIndex(indexOf(previous), snapshot, affected, limits);
  return new Engine(snapshot, index ?? undefined);
}

/** An engine's index (internal: tests look at how it was built). */
export function engineIndex(engine: Engine): EngineIndex {
  return indexOf(engine);
}

/** Whether the subject with this slot code holds `bit` at scope `s` (the shared tail of checks). */
function holdsAt(
  index: EngineIndex,
  code: number,
  bit: number,
  s: number,
  environment: Environment | undefined,
): boolean {
  if (code >= 0) return scanBit(index, code >>> 4, code & 15, bit, s, environment);
  return holdsBit(index, index.walkers[-code - 2]!, bit, s, environment);
}

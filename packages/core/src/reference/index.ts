/**
 * @gatehouse/core/reference — a naive evaluator that answers the engine's questions straight from
 * the snapshot's arrays, with linear scans and no index. It is slow on purpose and shares no code
 * with the engine's index: property tests and benchmarks use it as the oracle the engine must
 * agree with on every answer. Also: seed tables as data, and an example preset document.
 */
export { docsAppDocument } from './example-preset.js';
export {
  type FlowcodeOrgSeedRow,
  type FlowcodeWorkspaceSeedRow,
  flowcodeOrgSeedTable,
  flowcodeWorkspaceSeedTable,
  type IdnowSeedRow,
  idnowSeedTable,
  type SeedCell,
} from './seeds.js';

import type {
  Assignment,
  Environment,
  OrgSnapshot,
  RoleDef,
  ScopeNode,
  SubjectInfo,
} from '../snapshot.js';

/** A reference evaluator over one snapshot. */
export class ReferenceEvaluator {
  constructor(readonly snapshot: OrgSnapshot) {}

  private subject(id: string): SubjectInfo | undefined {
    return this.snapshot.subjects.find((s) => s.id === id);
  }

  private scope(id: string): ScopeNode | undefined {
    return this.snapshot.scopes.find((s) => s.id === id);
  }

  private role(key: string): RoleDef | undefined {
    return this.snapshot.roles.find((r) => r.key === key);
  }

  /** The scope ids from `id` up to the root. */
  ancestors(id: string): string[] {
    const out: string[] = [];
    let cur = this.scope(id);
    while (cur) {
      out.push(cur.id);
      cur = cur.parentId === null ? undefined : this.scope(cur.parentId);
    }
    return out;
  }

  /** True when scope `a` is `b` or below it. */
  within(a: string, b: string): boolean {
    return this.ancestors(a).includes(b);
  }

  /** True when the role carries the permission (through `*`, `module.*` or by name). */
  roleGrants(roleKey: string, permission: string): boolean {
    const role = this.role(roleKey);
    if (!role || !this.snapshot.permissions.some((p) => p.name === permission)) return false;
    const module = permission.split('.')[0];
    return role.permissions.some((p) => p === '*' || p === permission || p === `${module}.*`);
  }

  /** True when an assignment of this role to this subject at this scope takes effect at all. */
  assignmentSound(subjectId: string, roleKey: string, scopeId: string): boolean {
    const subject = this.subject(subjectId);
    const role = this.role(roleKey);
    const scope = this.scope(scopeId);
    if (!subject || !role || !scope) return false;
    if (role.scopeKinds && !role.scopeKinds.includes(scope.kind)) return false;
    if (subject.type === 'group' && subject.limitedTo) {
      return subject.limitedTo.some((l) => this.scope(l) && this.within(scopeId, l));
    }
    return true;
  }

  /** The holders whose assignments count for a subject: itself and its active groups. */
  holders(subjectId: string): string[] {
    const subject = this.subject(subjectId);
    if (!subject) return [];
    const out = [subjectId];
    if (subject.type === 'group') return out;
    for (const m of this.snapshot.memberships) {
      if (m.memberId !== subjectId) continue;
      const g = this.subject(m.groupId);
      if (g?.type === 'group' && g.active) out.push(g.id);
    }
    return out;
  }

  /** The role's slot when the snapshot's inheritance makes it `override`, else null. */
  overrideSlot(roleKey: string): string | null {
    const slot = this.role(roleKey)?.slot ?? null;
    if (slot === null || !this.snapshot.inheritance) return null;
    return Object.hasOwn(this.snapshot.inheritance, slot) &&
      this.snapshot.inheritance[slot] === 'override'
      ? slot
      : null;
  }

  /**
   * True when assignment `a`, reaching `subject` at `scope`, is in an override slot and another
   * sound assignment of that slot reaching the subject sits strictly nearer `scope` and takes
   * part in a check in `env` (any environment for a check without one; else both or that one).
   */
  overridden(a: Assignment, subject: string, scope: string, env: Environment | undefined): boolean {
    return this.overriddenOn(a, this.holders(subject), this.ancestors(scope), env);
  }

  private overriddenOn(
    a: Assignment,
    holders: readonly string[],
    path: readonly string[],
    env: Environment | undefined,
  ): boolean {
    const slot = this.overrideSlot(a.roleKey);
    if (slot === null) return false;
    return this.snapshot.assignments.some(
      (b) =>
        holders.includes(b.subjectId) &&
        path.includes(b.scopeId) &&
        path.indexOf(b.scopeId) < path.indexOf(a.scopeId) &&
        this.overrideSlot(b.roleKey) === slot &&
        (env === undefined || b.environment === null || b.environment === env) &&
        this.assignmentSound(b.subjectId, b.roleKey, b.scopeId),
    );
  }

  /** True when assignment `a` grants `permission` to `subject` at `scope` in `env`. */
  grantsThrough(
    a: Assignment,
    subject: string,
    permission: string,
    scope: string,
    env: Environment | undefined,
  ): boolean {
    return this.grantsOn(a, this.holders(subject), this.ancestors(scope), permission, env);
  }

  /** `grantsThrough` with the subject's holders and the scope's path (nearest first) given. */
  private grantsOn(
    a: Assignment,
    holders: readonly string[],
    path: readonly string[],
    permission: string,
    env: Environment | undefined,
  ): boolean {
    return (
      holders.includes(a.subjectId) &&
      path.includes(a.scopeId) &&
      (a.environment === null || a.environment === env) &&
      this.assignmentSound(a.subjectId, a.roleKey, a.scopeId) &&
      this.roleGrants(a.roleKey, permission) &&
      !this.overriddenOn(a, holders, path, env)
    );
  }

  /** C1. */
  check(subject: string, permission: string, scope: string, env?: Environment): boolean {
    if (!this.subject(subject)?.active || !this.scope(scope)) return false;
    const holders = this.holders(subject);
    const path = this.ancestors(scope);
    return this.snapshot.assignments.some((a) => this.grantsOn(a, holders, path, permission, env));
  }

  /** C4, in catalog order. */
  effectivePermissions(subject: string, scope: string, env?: Environment): string[] {
    return this.snapshot.permissions
      .map((p) => p.name)
      .filter((p) => this.check(subject, p, scope, env));
  }

  /** C5: every scope id where the subject has the permission, sorted. */
  scopesWith(subject: string, permission: string, env?: Environment): string[] {
    return this.snapshot.scopes
      .map((s) => s.id)
      .filter((s) => this.check(subject, permission, s, env))
      .sort();
  }

  /**
   * C5 / T3: every subject with the permission on the scope, sorted, with `direct` when a granting
   * assignment (own or through a group, not overridden) sits on the scope itself.
   */
  subjectsWith(
    scope: string,
    permission: string,
    env?: Environment,
  ): Array<{ subjectId: string; membership: 'direct' | 'inherited' }> {
    const out: Array<{ subjectId: string; membership: 'direct' | 'inherited' }> = [];
    for (const s of [...this.snapshot.subjects].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      if (!this.check(s.id, permission, scope, env)) continue;
      const holders = this.holders(s.id);
      const path = this.ancestors(scope);
      const direct = this.snapshot.assignments.some(
        (a) => a.scopeId === scope && this.grantsOn(a, holders, path, permission, env),
      );
      out.push({ subjectId: s.id, membership: direct ? 'direct' : 'inherited' });
    }
    return out;
  }

  /**
   * R6, the rule stated plainly: `roles.assign` and every permission of the role, in every
   * environment the assignment covers (no environment: checks without one, live and sandbox).
   */
  canAssign(actor: string, roleKey: string, scope: string, env: Environment | null): boolean {
    const role = this.role(roleKey);
    const node = this.scope(scope);
    if (!role || !node) return false;
    if (role.scopeKinds && !role.scopeKinds.includes(node.kind)) return false;
    // Every check the assignment would answer: with no environment, checks without one as well
    // as live and sandbox ones.
    const covered: Array<Environment | undefined> = env ? [env] : [undefined, 'live', 'sandbox'];
    const holdsEverywhere = (p: string) => covered.every((e) => this.check(actor, p, scope, e));
    if (!holdsEverywhere('roles.assign')) return false;
    return this.snapshot.permissions
      .map((p) => p.name)
      .filter((p) => this.roleGrants(roleKey, p))
      .every(holdsEverywhere);
  }
}

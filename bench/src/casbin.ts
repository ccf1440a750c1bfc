/**
 * node-casbin formulations of Gatehouse's semantics: RBAC with domains where the domain is the
 * scope, an assignment holding on its scope and below, users holding their groups' roles,
 * role → permission, and assignments limited to one environment.
 *
 * Every formulation is built from the same snapshot and asked the same requests through
 * `enforcer.enforceSync(subject, domain, permission, environment)`. Roles limited to an environment
 * become role variants (`billing_read@live`); an environment-limited variant grants permission
 * tokens `perm@live` or carries `p.env = live`.
 *
 * Links (who holds which role where):
 * - `domain-fn`: one `g, subject, role, scope` per assignment, groups as subjects and
 *   `g, user, group, <org>` for memberships; the scope hierarchy through
 *   `addNamedDomainMatchingFunc('g', (asked, policy) => asked is policy or below it)`.
 * - `domain-keymatch`: the same, with scopes written as paths (`/org_1/so_3/`), link domains as
 *   patterns (`/org_1/so_3/*`) and casbin's own `keyMatch` as the domain matching function.
 * - `materialized`: inheritance and groups folded in ahead of time: `g, user, role, d` for every
 *   scope `d` at or below the assignment, group assignments copied to each active member.
 *
 * Permissions (what a role grants):
 * - `p-lines`: `p, role, permission, env` per permission of each role; matcher
 *   `r.obj == p.obj && env && g(r.sub, p.sub, r.dom)`.
 * - `g2`: `p, role, env` per role and `g2, role, permission`; matcher
 *   `env && g2(p.sub, r.obj) && g(r.sub, p.sub, r.dom)`.
 * - `g-only`: permissions as roles of roles: `g, role, permission, domain` (in every domain the
 *   role is linked in when materialized, at the org otherwise), no `p` lines at all; matcher
 *   `g(r.sub, r.obj, r.dom) || (r.env != "" && g(r.sub, r.obj + "@" + r.env, r.dom))`, so casbin
 *   evaluates the matcher once per check instead of once per policy line.
 * - `g-only+env-domain` (materialized only): the environment moves into the domain: a link for
 *   both environments is written into `d`, `d#live` and `d#sandbox`, one limited to live only into
 *   `d#live`; the request's domain is `scope#env` (or `scope`), so the matcher is one
 *   `g(r.sub, r.obj, r.dom)` call. Fastest per check, at about 2.5× the rules and memory.
 */
import { expandPatterns, type OrgSnapshot, type SubjectInfo } from '@gatehouse/core';
import {
  type Adapter,
  type Enforcer,
  type Model,
  newEnforcer,
  newModelFromString,
  Util,
} from 'casbin';
import type { Requests } from './generate.js';

export type LinkMode = 'domain-fn' | 'domain-keymatch' | 'materialized';
export type PermMode = 'p-lines' | 'g2' | 'g-only';

/** One way of writing the model in casbin. */
export interface Formulation {
  readonly key: string;
  readonly links: LinkMode;
  readonly perms: PermMode;
  /** Materialized g-only only: the environment folded into the domain (`so_3#live`). */
  readonly envInDomain?: boolean;
}

/** Every formulation tried, slowest-looking first. */
export const FORMULATIONS: readonly Formulation[] = [
  { key: 'domain-fn+p-lines', links: 'domain-fn', perms: 'p-lines' },
  { key: 'domain-fn+g-only', links: 'domain-fn', perms: 'g-only' },
  { key: 'domain-keymatch+g-only', links: 'domain-keymatch', perms: 'g-only' },
  { key: 'materialized+p-lines', links: 'materialized', perms: 'p-lines' },
  { key: 'materialized+g2', links: 'materialized', perms: 'g2' },
  { key: 'materialized+g-only', links: 'materialized', perms: 'g-only' },
  {
    key: 'materialized+g-only+env-domain',
    links: 'materialized',
    perms: 'g-only',
    envInDomain: true,
  },
];

/**
 * The two fastest formulations (docs/benchmarks.md): the bench reports whichever is faster at a
 * size; the unit test checks both on thousands of requests.
 */
export const FASTEST_FORMULATIONS = ['materialized+g-only+env-domain', 'materialized+g-only'];

export function formulation(key: string): Formulation {
  const f = FORMULATIONS.find((x) => x.key === key);
  if (!f) throw new Error(`unknown casbin formulation ${key}`);
  return f;
}

const REQUEST = '[request_definition]\nr = sub, dom, obj, env\n';
const EFFECT = '[policy_effect]\ne = some(where (p.eft == allow))\n';

function modelText(f: Formulation): string {
  switch (f.perms) {
    case 'p-lines':
      return `${REQUEST}[policy_definition]\np = sub, obj, env\n[role_definition]\ng = _, _, _\n${EFFECT}[matchers]\nm = r.obj == p.obj && (p.env == "*" || p.env == r.env) && g(r.sub, p.sub, r.dom)\n`;
    case 'g2':
      return `${REQUEST}[policy_definition]\np = sub, env\n[role_definition]\ng = _, _, _\ng2 = _, _\n${EFFECT}[matchers]\nm = (p.env == "*" || p.env == r.env) && g2(p.sub, r.obj) && g(r.sub, p.sub, r.dom)\n`;
    case 'g-only':
      if (f.envInDomain) {
        return `${REQUEST}[policy_definition]\np = sub\n[role_definition]\ng = _, _, _\n${EFFECT}[matchers]\nm = g(r.sub, r.obj, r.dom)\n`;
      }
      return `${REQUEST}[policy_definition]\np = sub\n[role_definition]\ng = _, _, _\n${EFFECT}[matchers]\nm = g(r.sub, r.obj, r.dom) || (r.env != "" && g(r.sub, r.obj + "@" + r.env, r.dom))\n`;
  }
}

/**
 * An in-memory adapter: hands casbin ready rule arrays, as `Helper.loadPolicyLine` would after
 * parsing CSV (push, no duplicate scan). `addPolicies` would scan every existing rule for each new
 * one, which is quadratic at these sizes.
 */
class ArrayAdapter implements Adapter {
  constructor(private readonly rules: Map<string, string[][]>) {}

  async loadPolicy(model: Model): Promise<void> {
    for (const [ptype, rules] of this.rules) {
      const ast = model.model.get(ptype.slice(0, 1))?.get(ptype);
      if (!ast) throw new Error(`model has no ${ptype}`);
      for (const rule of rules) ast.policy.push(rule);
    }
  }
  async savePolicy(): Promise<boolean> {
    throw new Error('not implemented');
  }
  async addPolicy(): Promise<void> {
    throw new Error('not implemented');
  }
  async removePolicy(): Promise<void> {
    throw new Error('not implemented');
  }
  async removeFilteredPolicy(): Promise<void> {
    throw new Error('not implemented');
  }
}

const variant = (role: string, env: string | null) => (env ? `${role}@${env}` : role);
const permToken = (perm: string, env: string | null) => (env ? `${perm}@${env}` : perm);

/** The snapshot, read plainly (no Gatehouse index): tree, sound assignments, holders. */
class Translation {
  readonly root: string;
  readonly parent = new Map<string, string | null>();
  readonly children = new Map<string, string[]>();
  readonly pre = new Map<string, number>();
  readonly post = new Map<string, number>();
  readonly path = new Map<string, string>();
  readonly rolePerms = new Map<string, string[]>();
  readonly subjects = new Map<string, SubjectInfo>();
  readonly kindOf = new Map<string, string>();
  readonly roleKinds = new Map<string, readonly string[] | null>();
  /** Active group → its active non-group members. */
  readonly members = new Map<string, string[]>();

  constructor(readonly snapshot: OrgSnapshot) {
    let root: string | null = null;
    for (const s of snapshot.scopes) {
      this.parent.set(s.id, s.parentId);
      this.kindOf.set(s.id, s.kind);
      if (s.parentId === null) root = s.id;
      else {
        const list = this.children.get(s.parentId);
        if (list) list.push(s.id);
        else this.children.set(s.parentId, [s.id]);
      }
    }
    if (root === null) throw new Error('no root scope');
    this.root = root;
    let clock = 0;
    const visit = (id: string, path: string) => {
      this.pre.set(id, clock++);
      this.path.set(id, path);
      for (const c of this.children.get(id) ?? []) visit(c, `${path}${c}/`);
      this.post.set(id, clock);
    };
    visit(root, `/${root}/`);
    for (const r of snapshot.roles) {
      this.rolePerms.set(r.key, expandPatterns(snapshot.permissions, r.permissions).names);
      this.roleKinds.set(r.key, r.scopeKinds);
    }
    for (const s of snapshot.subjects) this.subjects.set(s.id, s);
    for (const m of snapshot.memberships) {
      const g = this.subjects.get(m.groupId);
      const u = this.subjects.get(m.memberId);
      if (g?.type !== 'group' || !g.active || !u || u.type === 'group' || !u.active) continue;
      const list = this.members.get(g.id);
      if (list) list.push(u.id);
      else this.members.set(g.id, [u.id]);
    }
  }

  within(a: string, b: string): boolean {
    const pa = this.pre.get(a);
    const pb = this.pre.get(b);
    return pa !== undefined && pb !== undefined && pa >= pb && pa < this.post.get(b)!;
  }

  /** Assignments that take effect for someone: active holder, known role and scope, allowed. */
  *soundAssignments() {
    for (const a of this.snapshot.assignments) {
      const subject = this.subjects.get(a.subjectId);
      const perms = this.rolePerms.get(a.roleKey);
      if (!subject?.active || !perms || !this.parent.has(a.scopeId)) continue;
      const kinds = this.roleKinds.get(a.roleKey);
      if (kinds && !kinds.includes(this.kindOf.get(a.scopeId)!)) continue;
      if (subject.type === 'group' && subject.limitedTo) {
        if (!subject.limitedTo.some((l) => this.within(a.scopeId, l))) continue;
      }
      yield a;
    }
  }

  /** The scope and every scope below it. */
  subtree(id: string): string[] {
    const out = [id];
    for (let i = 0; i < out.length; i++) out.push(...(this.children.get(out[i]!) ?? []));
    return out;
  }
}

/** A built casbin enforcer with its request columns. */
export interface CasbinEngine {
  readonly formulation: Formulation;
  readonly enforcer: Enforcer;
  /** Rules handed to casbin, by ptype. */
  readonly ruleCounts: Record<string, number>;
  /** Domain argument of a request (scope id, scope path, or `scope#env`). */
  domainOf(scope: string, env: string): string;
}

/** Builds the casbin rules for a formulation from a snapshot (the part of "build" outside casbin). */
export function translate(
  snapshot: OrgSnapshot,
  f: Formulation,
): { rules: Map<string, string[][]>; t: Translation } {
  const t = new Translation(snapshot);
  const g: string[][] = [];
  const p: string[][] = [];
  const g2: string[][] = [];
  const rules = new Map<string, string[][]>([
    ['p', p],
    ['g', g],
  ]);
  if (f.perms === 'g2') rules.set('g2', g2);
  const usedVariants = new Map<string, { role: string; env: string | null }>();
  const linkDomain = (scope: string) =>
    f.links === 'domain-keymatch' ? `${t.path.get(scope)}*` : scope;
  /** Materialized g-only: role variants linked in each domain. */
  const variantsIn = new Map<string, Set<string>>();

  for (const a of t.soundAssignments()) {
    const v = variant(a.roleKey, a.environment);
    usedVariants.set(v, { role: a.roleKey, env: a.environment });
    const subject = t.subjects.get(a.subjectId)!;
    if (f.links === 'materialized') {
      const holders =
        subject.type === 'group'
          ? [subject.id, ...(t.members.get(subject.id) ?? [])]
          : [subject.id];
      const linked = f.envInDomain ? a.roleKey : v;
      for (const scope of t.subtree(a.scopeId)) {
        const domains = !f.envInDomain
          ? [scope]
          : a.environment
            ? [`${scope}#${a.environment}`]
            : [scope, `${scope}#live`, `${scope}#sandbox`];
        for (const d of domains) {
          for (const h of holders) g.push([h, linked, d]);
          if (f.perms === 'g-only') {
            const set = variantsIn.get(d);
            if (set) set.add(linked);
            else variantsIn.set(d, new Set([linked]));
          }
        }
      }
    } else {
      g.push([subject.id, v, linkDomain(a.scopeId)]);
    }
  }
  if (f.links !== 'materialized') {
    for (const [group, members] of t.members) {
      for (const m of members) g.push([m, group, linkDomain(t.root)]);
    }
  }
  for (const [v, { role, env }] of usedVariants) {
    const perms = t.rolePerms.get(role)!;
    const envSel = env ?? '*';
    if (f.perms === 'p-lines') for (const perm of perms) p.push([v, perm, envSel]);
    else if (f.perms === 'g2') {
      p.push([v, envSel]);
      for (const perm of perms) g2.push([v, perm]);
    } else if (f.links !== 'materialized') {
      for (const perm of perms) g.push([v, permToken(perm, env), linkDomain(t.root)]);
    }
  }
  if (f.perms === 'g-only' && f.links === 'materialized') {
    for (const [d, variants] of variantsIn) {
      for (const v of variants) {
        if (f.envInDomain) {
          for (const perm of t.rolePerms.get(v)!) g.push([v, perm, d]);
          continue;
        }
        const { role, env } = usedVariants.get(v)!;
        for (const perm of t.rolePerms.get(role)!) g.push([v, permToken(perm, env), d]);
      }
    }
  }
  return { rules, t };
}

/** Translates the snapshot and builds a ready enforcer for the formulation. */
export async function buildCasbin(snapshot: OrgSnapshot, f: Formulation): Promise<CasbinEngine> {
  const { rules, t } = translate(snapshot, f);
  const enforcer = await newEnforcer(newModelFromString(modelText(f)), new ArrayAdapter(rules));
  if (f.links === 'domain-fn') {
    await enforcer.addNamedDomainMatchingFunc('g', (asked: string, policy: string) =>
      t.within(asked, policy),
    );
  } else if (f.links === 'domain-keymatch') {
    await enforcer.addNamedDomainMatchingFunc('g', Util.keyMatchFunc);
  }
  const ruleCounts: Record<string, number> = {};
  for (const [k, v] of rules) ruleCounts[k] = v.length;
  const domainOf =
    f.links === 'domain-keymatch'
      ? (scope: string) => t.path.get(scope) ?? `/?unknown/${scope}/`
      : f.envInDomain
        ? (scope: string, env: string) => (env ? `${scope}#${env}` : scope)
        : (scope: string) => scope;
  return { formulation: f, enforcer, ruleCounts, domainOf };
}

/** The request columns in casbin's terms: (subject, domain, permission, env or ''). */
export function casbinRequests(
  engine: CasbinEngine,
  req: Requests,
): { sub: string[]; dom: string[]; obj: string[]; env: string[] } {
  return {
    sub: req.subject,
    dom: req.scope.map((s, i) => engine.domainOf(s, req.environment[i] ?? '')),
    obj: req.permission,
    env: req.environment.map((e) => e ?? ''),
  };
}

/**
 * Whether an organization's state still fits a preset (issue 12): what a new version of the
 * preset would leave pointing at nothing or breaking its rules. The server checks every org on
 * the preset with it before a version is applied, after moving renamed names.
 */
import { expandPatterns } from './permission.js';
import type { Preset } from './preset.js';
import type { OrgSnapshot } from './snapshot.js';

/** One thing of an org's state that the preset no longer allows. */
export interface ModelIssue {
  /** What it is about. */
  readonly kind: 'scope' | 'customRole' | 'assignment';
  /** The scope id, custom role key or assignment id. */
  readonly id: string;
  readonly message: string;
}

/**
 * Every way `snapshot` (an org's scopes, custom roles and assignments, with the roles of
 * `preset`) does not fit `preset`: scopes of unknown kinds or in a nesting the kinds no longer
 * allow, custom roles naming unknown permissions or kinds or sharing a built-in role's key,
 * assignments of unknown roles, at kinds their role may not be held, limited to an environment
 * the preset no longer has, or two roles of one slot for a subject at a scope.
 */
export function modelIssues(preset: Preset, snapshot: OrgSnapshot): ModelIssue[] {
  const out: ModelIssue[] = [];
  const kinds = new Map(preset.scopeKinds.map((k) => [k.key, k]));
  const scopes = new Map(snapshot.scopes.map((s) => [s.id, s]));
  for (const s of snapshot.scopes) {
    const kind = kinds.get(s.kind);
    const at = `scope ${s.id} (${s.name})`;
    if (!kind) {
      out.push({
        kind: 'scope',
        id: s.id,
        message: `${at} is a "${s.kind}", a kind the preset no longer has`,
      });
      continue;
    }
    const parent = s.parentId === null ? null : scopes.get(s.parentId);
    if (s.parentId === null && s.kind !== preset.rootKind) {
      out.push({
        kind: 'scope',
        id: s.id,
        message: `${at} is the organization, but the root kind is now "${preset.rootKind}"`,
      });
    } else if (parent && !kind.parents.includes(parent.kind)) {
      out.push({
        kind: 'scope',
        id: s.id,
        message: `${at} is a "${s.kind}" under a "${parent.kind}", which that kind no longer allows`,
      });
    }
  }
  const builtIn = new Set(preset.roles.map((r) => r.key));
  for (const r of snapshot.roles) {
    if (r.builtIn) continue;
    const at = `custom role "${r.key}"`;
    if (builtIn.has(r.key)) {
      out.push({
        kind: 'customRole',
        id: r.key,
        message: `${at} has the key of a built-in role of the preset`,
      });
    }
    const { unknown } = expandPatterns(preset.catalog.permissions, r.permissions);
    for (const p of unknown) {
      out.push({
        kind: 'customRole',
        id: r.key,
        message: `${at} names "${p}", which the catalog no longer has`,
      });
    }
    for (const k of r.scopeKinds ?? []) {
      if (!kinds.has(k))
        out.push({
          kind: 'customRole',
          id: r.key,
          message: `${at} may be held at "${k}", a kind the preset no longer has`,
        });
    }
  }
  const roles = new Map(snapshot.roles.map((r) => [r.key, r]));
  const slots = new Map<string, string>();
  for (const a of snapshot.assignments) {
    const at = `assignment ${a.id} (${a.subjectId} at ${a.scopeId})`;
    const role = roles.get(a.roleKey);
    const scope = scopes.get(a.scopeId);
    if (!role) {
      out.push({
        kind: 'assignment',
        id: a.id,
        message: `${at} gives role "${a.roleKey}", which the preset no longer has`,
      });
      continue;
    }
    if (scope && role.scopeKinds && !role.scopeKinds.includes(scope.kind)) {
      out.push({
        kind: 'assignment',
        id: a.id,
        message: `${at} gives "${a.roleKey}" at a "${scope.kind}", where that role may no longer be held`,
      });
    }
    if (a.environment !== null && !preset.environments) {
      out.push({
        kind: 'assignment',
        id: a.id,
        message: `${at} is limited to ${a.environment}, and the preset no longer has environments`,
      });
    }
    if (role.slot !== null) {
      const place = `${a.subjectId} ${a.scopeId} ${a.environment ?? '*'} ${role.slot}`;
      const other = slots.get(place);
      if (other !== undefined && other !== a.roleKey) {
        out.push({
          kind: 'assignment',
          id: a.id,
          message: `${at} gives "${a.roleKey}" beside "${other}", both now in slot "${role.slot}"`,
        });
      } else slots.set(place, a.roleKey);
    }
  }
  return out;
}

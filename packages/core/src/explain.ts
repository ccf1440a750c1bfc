/**
 * Explain (C3): the assignments, groups and inheritance path that grant a permission, or why
 * nothing does; in override slots (./inheritance.ts), which assignment won and what it replaced.
 */
import { type AccessSource, accessSources, appliesIn } from './access.js';
import type { CheckRequest } from './check.js';
import { type Decision, deny, GRANTED } from './decision.js';
import { takesPart } from './inheritance.js';
import type { EngineIndex } from './internal/engine-index.js';
import { envCovers, hasBit } from './internal/grants.js';

/** A decision with the grants behind it. */
export interface Explanation extends Decision {
  /** The assignments that grant the permission (empty when denied). */
  readonly grants: readonly AccessSource[];
  /** What the subject does hold at the scope, to show next to a denial. */
  readonly holds: readonly AccessSource[];
  /**
   * Assignments in override slots that carry the permission for this environment but do not
   * apply here: a nearer assignment of their slot replaces them (each names it in
   * `overriddenBy`). Empty when no override slot is involved.
   */
  readonly overridden: readonly AccessSource[];
}

/** Explains one check: every path that grants it, or the reason nothing does. */
export function explain(
  index: EngineIndex,
  req: CheckRequest,
  precheck: (req: CheckRequest) => Decision | null,
): Explanation {
  const early = precheck(req);
  if (early) return { ...early, grants: [], holds: [], overridden: [] };
  const scope = index.tree.indexOf(req.scope)!;
  const bit = index.permBit.get(req.permission)!;
  const holds = accessSources(index, req.subject, scope);
  const carries = (s: AccessSource) =>
    envCovers(s.environment, req.environment) && hasBit(index.roleMasks.get(s.roleKey)!, bit);
  const grants = holds.filter((s) => carries(s) && appliesIn(s, req.environment));
  const overridden = holds.filter((s) => carries(s) && !appliesIn(s, req.environment));
  if (grants.length > 0) {
    const reason = describe(grants[0]!, req) + replaced(grants[0]!, req);
    return { ...GRANTED, reason, grants, holds, overridden };
  }
  const env = req.environment ? ` in ${req.environment}` : '';
  const held = holds.length
    ? `holds ${holds.map(label).join(', ')}, none of which grants it${env}`
    : 'holds no role at this scope or above';
  const why = overridden.map((s) => `; ${label(s)} is overridden by ${winners(s, req)}`).join('');
  return {
    ...deny('no_grant', `${req.subject} lacks ${req.permission} on ${req.scope}: ${held}${why}`),
    grants: [],
    holds,
    overridden,
  };
}

function describe(s: AccessSource, req: CheckRequest): string {
  const via = s.viaGroup ? ` through group ${s.viaGroup}` : '';
  const where = s.inherited ? `inherited from ${s.scopeId}` : `at ${s.scopeId}`;
  return `${req.permission} granted by role ${s.roleKey}${via}, ${where}`;
}

/** `, which overrides flows_write inherited from org_1`, or '' when it replaces nothing. */
function replaced(s: AccessSource, req: CheckRequest): string {
  const others = (s.overrides ?? []).filter((o) => envCovers(o.environment, req.environment));
  if (others.length === 0) return '';
  return `, which overrides ${others.map((o) => `${o.roleKey} inherited from ${o.scopeId}`).join(', ')}`;
}

/** The nearer assignments that replace `s` in this check, as `role@scope` labels. */
function winners(s: AccessSource, req: CheckRequest): string {
  return (s.overriddenBy ?? [])
    .filter((o) => takesPart(o.environment, req.environment))
    .map(label)
    .join(', ');
}

function label(s: {
  roleKey: string;
  scopeId: string;
  environment: string | null;
  viaGroup?: string | null;
}): string {
  return `${s.roleKey}@${s.scopeId}${s.environment ? `(${s.environment})` : ''}`;
}

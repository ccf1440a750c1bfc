/**
 * Explain (C3): the assignments, groups and inheritance path that grant a permission, or why
 * nothing does.
 */
import { type AccessSource, accessSources } from './access.js';
import type { CheckRequest } from './check.js';
import { type Decision, deny, GRANTED } from './decision.js';
import type { EngineIndex } from './internal/engine-index.js';
import { envCovers, hasBit } from './internal/grants.js';

/** A decision with the grants behind it. */
export interface Explanation extends Decision {
  /** The assignments that grant the permission (empty when denied). */
  readonly grants: readonly AccessSource[];
  /** What the subject does hold at the scope, to show next to a denial. */
  readonly holds: readonly AccessSource[];
}

/** Explains one check: every path that grants it, or the reason nothing does. */
export function explain(
  index: EngineIndex,
  req: CheckRequest,
  precheck: (req: CheckRequest) => Decision | null,
): Explanation {
  const early = precheck(req);
  if (early) return { ...early, grants: [], holds: [] };
  const scope = index.tree.indexOf(req.scope)!;
  const bit = index.permBit.get(req.permission)!;
  const holds = accessSources(index, req.subject, scope);
  const grants = holds.filter(
    (s) =>
      envCovers(s.environment, req.environment) && hasBit(index.roleMasks.get(s.roleKey)!, bit),
  );
  if (grants.length > 0) return { ...GRANTED, reason: describe(grants[0]!, req), grants, holds };
  const env = req.environment ? ` in ${req.environment}` : '';
  const held = holds.length
    ? `holds ${holds.map((h) => `${h.roleKey}@${h.scopeId}${h.environment ? `(${h.environment})` : ''}`).join(', ')}, none of which grants it${env}`
    : 'holds no role at this scope or above';
  return {
    ...deny('no_grant', `${req.subject} lacks ${req.permission} on ${req.scope}: ${held}`),
    grants: [],
    holds,
  };
}

function describe(s: AccessSource, req: CheckRequest): string {
  const via = s.viaGroup ? ` through group ${s.viaGroup}` : '';
  const where = s.inherited ? `inherited from ${s.scopeId}` : `at ${s.scopeId}`;
  return `${req.permission} granted by role ${s.roleKey}${via}, ${where}`;
}

/**
 * The check request (C1) and the reasons a check is denied before any grant is looked at.
 */
import { type Decision, deny } from './decision.js';
import type { EngineIndex } from './internal/engine-index.js';
import type { Environment } from './snapshot.js';

/** May `subject` do `permission` at `scope` (in `environment`)? */
export interface CheckRequest {
  readonly subject: string;
  readonly permission: string;
  readonly scope: string;
  /** Omitted: only grants that hold in both environments count. */
  readonly environment?: Environment | undefined;
}

/**
 * The denial owed before looking at grants (unknown or inactive subject, unknown permission or
 * scope), or null when the request is well-formed.
 */
export function precheck(index: EngineIndex, req: CheckRequest): Decision | null {
  const subject = index.subjects.get(req.subject);
  if (!subject) return deny('unknown_subject', `unknown subject ${req.subject}`);
  if (!subject.active) return deny('inactive_subject', `${req.subject} is deactivated`);
  if (!index.permBit.has(req.permission)) {
    return deny('unknown_permission', `unknown permission ${req.permission}`);
  }
  if (index.tree.indexOf(req.scope) === undefined) {
    return deny('unknown_scope', `unknown scope ${req.scope}`);
  }
  return null;
}

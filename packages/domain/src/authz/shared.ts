/** What every permission question shares: the engine at a revision, and who may ask about others. */

import type { Engine } from '@gatehouse/core';
import { ListOptionsError } from '@gatehouse/core';
import type { OrgCall } from '../call.js';
import type { Caller } from '../context.js';
import { forbidden, invalid } from '../errors.js';
import { assertOrgAccess } from '../org-write.js';

/** Every answer says which revision it was computed at. */
export interface AtRevision<T> {
  readonly revision: number;
  readonly result: T;
}

/** The org's engine at least at `minRevision`, after the tenant check. */
export async function engineFor(call: OrgCall, minRevision?: number) {
  const { caller, orgId, services: s } = call;
  assertOrgAccess(caller, orgId);
  return s.engines.get(orgId, minRevision);
}

/** The permission a user session needs to ask about others: the directory's. */
export const ASK_ABOUT_OTHERS_PERMISSION = 'members.read';

/**
 * A user session may ask about `subject` at `scope` when it is its own user, or when its user
 * may read members there; `subject` undefined: a question about everyone (lists, the snapshot).
 */
export function assertMayAsk(
  caller: Caller,
  engine: Engine,
  subject: string | undefined,
  scope: string,
): void {
  const p = caller.principal;
  if (p.kind !== 'user' || subject === p.userId) return;
  const d = engine.check({ subject: p.userId, permission: ASK_ABOUT_OTHERS_PERMISSION, scope });
  if (!d.allowed) {
    throw forbidden(
      `a user session asks about other subjects only where its user has ${ASK_ABOUT_OTHERS_PERMISSION} (${d.reason})`,
    );
  }
}

/** Runs a list question, turning the engine's model errors into INVALID. */
export function listErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ListOptionsError) throw invalid(e.message);
    throw e;
  }
}

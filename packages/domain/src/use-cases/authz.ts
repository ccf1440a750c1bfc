/**
 * Permission questions (C1–C7) answered from the cached engine, never from a state older than
 * `minRevision` (C6). Any API client of the org may ask them: they are what the integrating
 * product calls on every request. A user session asks about itself freely; about other subjects
 * (and for whole lists of subjects or the snapshot) only where its user may read members
 * (`members.read` at the scope asked about, the org root for the snapshot), as in the directory.
 */
import type {
  CheckRequest,
  Decision,
  Engine,
  Environment,
  Explanation,
  OrgSnapshot,
  Page,
  ScopeRef,
  SubjectAccess,
  SubjectType,
} from '@gatehouse/core';
import { ListOptionsError } from '@gatehouse/core';
import type { Caller } from '../context.js';
import { forbidden, invalid } from '../errors.js';
import { assertOrgAccess } from '../org-write.js';
import type { Services } from '../services.js';

/** Every answer says which revision it was computed at. */
export interface AtRevision<T> {
  readonly revision: number;
  readonly result: T;
}

async function engineFor(s: Services, caller: Caller, orgId: string, minRevision?: number) {
  assertOrgAccess(caller, orgId);
  return s.engines.get(orgId, minRevision);
}

/** The permission a user session needs to ask about others: the directory's. */
export const ASK_ABOUT_OTHERS_PERMISSION = 'members.read';

/**
 * A user session may ask about `subject` at `scope` when it is its own user, or when its user
 * may read members there; `subject` undefined: a question about everyone (lists, the snapshot).
 */
function assertMayAsk(
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

function listErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ListOptionsError) throw invalid(e.message);
    throw e;
  }
}

/** C1. */
export async function check(
  s: Services,
  caller: Caller,
  orgId: string,
  req: CheckRequest,
  minRevision?: number,
): Promise<AtRevision<Decision>> {
  const engine = await engineFor(s, caller, orgId, minRevision);
  assertMayAsk(caller, engine, req.subject, req.scope);
  return { revision: engine.revision, result: engine.check(req) };
}

/** C2: decisions in request order. */
export async function checkMany(
  s: Services,
  caller: Caller,
  orgId: string,
  requests: readonly CheckRequest[],
  minRevision?: number,
): Promise<AtRevision<Decision[]>> {
  const engine = await engineFor(s, caller, orgId, minRevision);
  for (const req of requests) assertMayAsk(caller, engine, req.subject, req.scope);
  return { revision: engine.revision, result: engine.checkMany(requests) };
}

/** C3. */
export async function explain(
  s: Services,
  caller: Caller,
  orgId: string,
  req: CheckRequest,
  minRevision?: number,
): Promise<AtRevision<Explanation>> {
  const engine = await engineFor(s, caller, orgId, minRevision);
  assertMayAsk(caller, engine, req.subject, req.scope);
  return { revision: engine.revision, result: engine.explain(req) };
}

/** C4. */
export async function effectivePermissions(
  s: Services,
  caller: Caller,
  orgId: string,
  q: { subject: string; scope: string; environment?: Environment | undefined },
  minRevision?: number,
): Promise<AtRevision<string[]>> {
  const engine = await engineFor(s, caller, orgId, minRevision);
  if (!engine.hasScope(q.scope)) throw invalid(`unknown scope ${q.scope}`);
  assertMayAsk(caller, engine, q.subject, q.scope);
  return {
    revision: engine.revision,
    result: engine.effectivePermissions(q.subject, q.scope, q.environment),
  };
}

/** C5: scopes where a subject has a permission, one page per call. */
export async function listScopesFor(
  s: Services,
  caller: Caller,
  orgId: string,
  q: {
    subject: string;
    permission: string;
    environment?: Environment | undefined;
    cursor?: string | null | undefined;
    limit?: number | undefined;
  },
  minRevision?: number,
): Promise<AtRevision<Page<ScopeRef>>> {
  const engine = await engineFor(s, caller, orgId, minRevision);
  // The scopes can be anywhere in the org: about others, members.read at the root.
  assertMayAsk(caller, engine, q.subject, orgId);
  return {
    revision: engine.revision,
    result: listErrors(() => engine.listScopes(q.subject, q.permission, q)),
  };
}

/** C5 / T3: subjects with a permission on a scope, direct or inherited, one page per call. */
export async function listSubjectsFor(
  s: Services,
  caller: Caller,
  orgId: string,
  q: {
    scope: string;
    permission: string;
    environment?: Environment | undefined;
    type?: SubjectType | undefined;
    cursor?: string | null | undefined;
    limit?: number | undefined;
  },
  minRevision?: number,
): Promise<AtRevision<Page<SubjectAccess>>> {
  const engine = await engineFor(s, caller, orgId, minRevision);
  if (!engine.hasScope(q.scope)) throw invalid(`unknown scope ${q.scope}`);
  assertMayAsk(caller, engine, undefined, q.scope);
  return {
    revision: engine.revision,
    result: listErrors(() => engine.listSubjects(q.scope, q.permission, q)),
  };
}

/** C7: the org snapshot, for local checks with the same engine. */
export async function snapshot(
  s: Services,
  caller: Caller,
  orgId: string,
  minRevision?: number,
): Promise<OrgSnapshot> {
  const engine = await engineFor(s, caller, orgId, minRevision);
  assertMayAsk(caller, engine, undefined, orgId);
  return engine.snapshot;
}

/** C3: the subjects holding a permission at a scope. */
import type { Environment, Page, SubjectAccess, SubjectType } from '@gatehouse/core';
import type { Caller } from '../context.js';
import { invalid } from '../errors.js';
import type { Services } from '../services.js';
import { type AtRevision, assertMayAsk, engineFor, listErrors } from './shared.js';

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

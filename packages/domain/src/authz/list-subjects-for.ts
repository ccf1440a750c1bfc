/** C3: the subjects holding a permission at a scope. */

import type { Environment, Page, SubjectAccess, SubjectType } from '@gatehouse/core';
import type { OrgCall } from '../call.js';
import { invalid } from '../errors.js';
import { type AtRevision, assertMayAsk, engineFor, listErrors } from './shared.js';

/** C5 / T3: subjects with a permission on a scope, direct or inherited, one page per call. */
export async function listSubjectsFor(
  call: OrgCall,
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
  const { caller } = call;
  const engine = await engineFor(call, minRevision);
  if (!engine.hasScope(q.scope)) throw invalid(`unknown scope ${q.scope}`);
  assertMayAsk(caller, engine, undefined, q.scope);
  return {
    revision: engine.revision,
    result: listErrors(() => engine.listSubjects(q.scope, q.permission, q)),
  };
}

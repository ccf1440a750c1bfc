/** T2: an org's scopes. */
import type { OrgCall } from '../call.js';
import { actingSubjects, assertOrgAccess } from '../org-write.js';
import { type ScopeView, scopeView } from './view.js';

/** T4: the scopes the caller can see (`scopes.read`); everything for the instance admin. */
export async function listScopes(
  call: OrgCall,
  opts: { cursor?: string | undefined; limit?: number | undefined } = {},
): Promise<{ items: ScopeView[]; nextCursor: string | null }> {
  const { caller, orgId, services: s } = call;
  assertOrgAccess(caller, orgId);
  const engine = await s.engines.get(orgId);
  const viewers = actingSubjects(caller, engine);
  const limit = opts.limit ?? 100;
  // T4: a caller sees the scopes where it (and the user it acts for) holds scopes.read.
  const page =
    viewers.length > 0
      ? engine.listScopes(viewers[0]!, 'scopes.read', { cursor: opts.cursor, limit })
      : null;
  const ids = page?.items
    .map((i) => i.id)
    .filter((id) => viewers.every((v) => engine.can(v, 'scopes.read', id)));
  // A caller that may read none of this page's scopes gets an empty page (no query to run).
  if (ids?.length === 0) return { items: [], nextCursor: page!.nextCursor };
  let q = s.db
    .selectFrom('scopes')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('id')
    .limit(limit + 1);
  if (ids) q = q.where('id', 'in', ids);
  else if (opts.cursor) q = q.where('id', '>', opts.cursor);
  const rows = await q.execute();
  const items = rows.slice(0, limit).map(scopeView);
  const nextCursor = page
    ? page.nextCursor
    : rows.length > limit
      ? items[items.length - 1]!.id
      : null;
  return { items, nextCursor };
}

/** T1: the organizations the caller may see. */
import type { Call } from '../call.js';
import { principalOrg } from '../context.js';
import { type OrgView, orgView } from './view.js';

/** Organizations the caller can see: all for the instance admin, its own for an org-bound caller. */
export async function listOrgs(
  call: Call,
  opts: { cursor?: string | undefined; limit?: number | undefined } = {},
): Promise<{ items: OrgView[]; nextCursor: string | null }> {
  const { services: s, caller } = call;
  const limit = opts.limit ?? 100;
  let q = s.db
    .selectFrom('orgs')
    .selectAll()
    .orderBy('id')
    .limit(limit + 1);
  const own = principalOrg(caller.principal);
  if (own !== null) q = q.where('id', '=', own);
  if (opts.cursor) q = q.where('id', '>', opts.cursor);
  const rows = await q.execute();
  const items = rows.slice(0, limit).map(orgView);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}

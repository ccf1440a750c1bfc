/** T6: members per status and scope, pending invitations, recent activity. */

import type { Engine } from '@gatehouse/core';
import { sql } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { scopeIndex } from '../engine/index.js';
import { authorizeRead } from '../org-read.js';
import type { Services } from '../services.js';

/** Per-scope member counts change only with the revision: computed once per engine. */
const perScopeCache = new WeakMap<Engine, Promise<Array<{ scope_id: string; n: number }>>>();

function perScopeCounts(
  s: Services,
  engine: Engine,
  orgId: string,
): Promise<Array<{ scope_id: string; n: number }>> {
  let p = perScopeCache.get(engine);
  if (!p) {
    p = sql<{ scope_id: string; n: number }>`
      select x.scope_id, count(distinct x.user_id)::int as n from (
        select a.scope_id, a.subject_id as user_id
          from assignments a
         where a.org_id = ${orgId} and a.subject_type = 'user'
        union all
        select a.scope_id, gm.member_id
          from assignments a
          join group_members gm on gm.org_id = a.org_id and gm.group_id = a.subject_id
          join members m on m.org_id = gm.org_id and m.user_id = gm.member_id
         where a.org_id = ${orgId} and a.subject_type = 'group'
      ) x group by x.scope_id`
      .execute(s.db)
      .then((r) => r.rows);
    p.catch(() => perScopeCache.delete(engine));
    perScopeCache.set(engine, p);
  }
  return p;
}

/** T6: the org at a glance. */
export interface DirectoryOverview {
  readonly revision: number;
  readonly members: {
    readonly total: number;
    readonly active: number;
    readonly deactivated: number;
  };
  readonly pendingInvitations: number;
  /** Active members who signed in to this org during the last 30 days. */
  readonly activeLast30Days: number;
  /** Per scope: people with an assignment placed there, own or through a group ("Member"). */
  readonly perScope: ReadonlyArray<{
    readonly scopeId: string;
    readonly name: string;
    readonly kind: string;
    readonly parentId: string | null;
    readonly members: number;
  }>;
  /**
   * The ten most recent sign-ins to this org (every member's last login to it is on their
   * directory row).
   */
  readonly recentLogins: ReadonlyArray<{
    readonly userId: string;
    readonly email: string;
    readonly name: string | null;
    readonly lastLoginAt: string;
  }>;
}

/**
 * T6: members per status and per scope, pending invitations, active in the last 30 days and the
 * latest sign-ins (`members.read` at the root). Counts are aggregate queries over the org's
 * index entries; nothing is loaded row by row.
 */
export async function directoryOverview(call: OrgCall): Promise<DirectoryOverview> {
  const { orgId, services: s } = call;
  const engine = await authorizeRead(call, 'members.read', orgId);
  const now = s.options?.now?.() ?? new Date();
  const since = new Date(now.getTime() - 30 * 86_400_000);
  const [statuses, pending, recent, perScope, latest] = await Promise.all([
    s.db
      .selectFrom('members')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('org_id', '=', orgId)
      .groupBy('status')
      .execute(),
    s.db
      .selectFrom('invitations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow(),
    s.db
      .selectFrom('members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('m.org_id', '=', orgId)
      .where('m.status', '=', 'active')
      .where('m.last_login_at', '>=', since)
      .executeTakeFirstOrThrow(),
    perScopeCounts(s, engine, orgId),
    s.db
      .selectFrom('members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.user_id', 'u.email', 'u.name', 'm.last_login_at'])
      .where('m.org_id', '=', orgId)
      .where('m.last_login_at', 'is not', null)
      .orderBy('m.last_login_at', 'desc')
      .limit(10)
      .execute(),
  ]);
  const count = (st: string) => Number(statuses.find((r) => r.status === st)?.n ?? 0);
  const idx = scopeIndex(engine);
  return {
    revision: engine.revision,
    members: {
      total: count('active') + count('deactivated'),
      active: count('active'),
      deactivated: count('deactivated'),
    },
    pendingInvitations: Number(pending.n),
    activeLast30Days: Number(recent.n),
    perScope: perScope
      .filter((r) => idx.get(r.scope_id))
      .map((r) => {
        const n = idx.get(r.scope_id)!;
        return {
          scopeId: r.scope_id,
          name: n.name,
          kind: n.kind,
          parentId: n.parentId,
          members: Number(r.n),
        };
      })
      .sort((a, b) => b.members - a.members || (a.scopeId < b.scopeId ? -1 : 1)),
    recentLogins: latest.map((r) => ({
      userId: r.user_id,
      email: r.email,
      name: r.name,
      lastLoginAt: new Date(r.last_login_at!).toISOString(),
    })),
  };
}

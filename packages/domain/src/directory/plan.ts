/** How a directory query narrows its candidates before reading rows. */
import type { Engine } from '@gatehouse/core';
import { type DB, sql } from '@gatehouse/db';
import type { ScopeIndex } from '../engine/index.js';
import { notFound } from '../errors.js';
import type { DirectoryQuery } from './list.js';

/**
 * User ids holding an assignment of their own at one of `scopes` (null: anywhere), of `role`
 * (optional): an uncorrelated subquery, so the planner may drive from it (few holders) or probe
 * it per member in page order (many holders).
 */
export function ownHolders(db: DB, orgId: string, scopes: readonly string[] | null, role?: string) {
  let q = db
    .selectFrom('assignments as a')
    .select('a.subject_id as id')
    .where('a.org_id', '=', orgId)
    .where('a.subject_type', '=', 'user');
  if (scopes) q = q.where('a.scope_id', 'in', scopes);
  if (role) q = q.where('a.role_key', '=', role);
  return q;
}

/** The same, for assignments held through a group. */
export function groupHolders(
  db: DB,
  orgId: string,
  scopes: readonly string[] | null,
  role?: string,
) {
  let q = db
    .selectFrom('group_members as gm')
    .innerJoin('assignments as ga', (j) =>
      j.onRef('ga.org_id', '=', 'gm.org_id').onRef('ga.subject_id', '=', 'gm.group_id'),
    )
    .select('gm.member_id as id')
    .where('gm.org_id', '=', orgId);
  if (scopes) q = q.where('ga.scope_id', 'in', scopes);
  if (role) q = q.where('ga.role_key', '=', role);
  return q;
}

/** Up to this many holders are fetched and looked up by key rather than joined. */
const FEW_HOLDERS = 5000;

/**
 * The distinct ids a holders subquery yields when there are at most FEW_HOLDERS of them, else
 * null. Counting first (capped, inside the database) keeps the "many" case from shipping rows.
 */
export async function fewIds(
  db: DB,
  holders: ReturnType<typeof ownHolders> | ReturnType<typeof groupHolders>,
): Promise<string[] | null> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from (select 1 from ${holders} as h limit ${FEW_HOLDERS + 1}) as c`.execute(
    db,
  );
  if (Number(rows[0]?.n ?? 0) > FEW_HOLDERS) return null;
  const ids = await sql<{ id: string }>`select distinct h.id from ${holders} as h`.execute(db);
  return ids.rows.map((r) => r.id);
}

/** The scopes and candidate ids a directory query reads. */
export interface Plan {
  readonly orgId: string;
  readonly scopeId: string;
  readonly isRoot: boolean;
  /** Scopes an assignment must sit at for a row to be listed (null: no condition). */
  readonly accessScopes: readonly string[] | null;
  /** Exclude rows with an assignment at the scope itself (membership "inherited"). */
  readonly excludeDirect: boolean;
  /** Nothing can match (e.g. "inherited" at the org root). */
  readonly empty: boolean;
}

/** Plans a directory query from the org's engine and scope index. */
export function plan(engine: Engine, idx: ScopeIndex, orgId: string, q: DirectoryQuery): Plan {
  const scopeId = q.scopeId ?? orgId;
  if (!engine.hasScope(scopeId)) throw notFound(`scope ${scopeId}`);
  const isRoot = scopeId === orgId;
  const chain = idx.ancestorsOrSelf(scopeId);
  let accessScopes: readonly string[] | null = null;
  let excludeDirect = false;
  let empty = false;
  if (q.membership === 'direct') accessScopes = [scopeId];
  else if (q.membership === 'inherited') {
    accessScopes = chain.slice(1);
    excludeDirect = true;
    empty = accessScopes.length === 0;
  } else if (!isRoot) accessScopes = chain;
  return { orgId, scopeId, isRoot, accessScopes, excludeDirect, empty };
}

/** A3: a filtered, paged read of an org's audit log. */

import type { AuditRow, Database, SelectQueryBuilder } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { invalid } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import { containsPattern } from '../rules/index.js';
import type { Services } from '../services.js';
import { type AuditEntryView, auditView } from './view.js';

/** What to select (A2). Every filter is optional; together they AND. */
export interface AuditQuery {
  /**
   * Who acted, as people type it: part of a user's email or of an API client's name
   * (case-insensitive), or an exact actor id. Matches the actor and the user acted for.
   */
  readonly actor?: string | undefined;
  /** An exact actor id (`cli_…`, `usr_…`, `instance_admin`, `system`). */
  readonly actorId?: string | undefined;
  readonly action?: string | undefined;
  readonly entityType?: string | undefined;
  readonly entityId?: string | undefined;
  /** Entries at this scope and every scope below it (the caller needs `audit.read` there). */
  readonly scopeId?: string | undefined;
  /** Inclusive lower bound of `at`. */
  readonly from?: Date | undefined;
  /** Exclusive upper bound of `at`. */
  readonly to?: Date | undefined;
}

/** Filters plus paging of `listAudit`. */
export interface AuditFilter extends AuditQuery {
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string | undefined;
  /** Page size, 1–1000; default 100. */
  readonly limit?: number | undefined;
}

type AuditSelect = SelectQueryBuilder<Database, 'audit_log', AuditRow>;

/** At most this many people and clients may match an `actor` filter. */
const MAX_ACTORS = 500;

/**
 * The ids an `actor` filter means: users whose email contains it (any org: people who left are
 * still in old entries), this org's API clients whose name contains it, and the text itself
 * as an exact id (`instance_admin`, `cli_…`).
 */
async function resolveActors(s: Services, orgId: string, actor: string): Promise<string[]> {
  const pattern = containsPattern(actor);
  const [users, clients] = await Promise.all([
    s.db
      .selectFrom('users')
      .select('id')
      .where('email_lower', 'like', pattern)
      .limit(MAX_ACTORS + 1)
      .execute(),
    s.db
      .selectFrom('api_clients')
      .select('id')
      .where('org_id', '=', orgId)
      .where((eb) => eb(eb.fn('lower', ['name']), 'like', pattern))
      .limit(MAX_ACTORS + 1)
      .execute(),
  ]);
  if (users.length + clients.length > MAX_ACTORS) {
    throw invalid(
      `"${actor}" matches more than ${MAX_ACTORS} people and API clients; type more of the email or name`,
    );
  }
  return [actor.trim(), ...users.map((u) => u.id), ...clients.map((c) => c.id)];
}

/**
 * Authorizes the reader (`audit.read` at the filter's scope, else at the root) and returns a
 * function adding the filters to a query over the org's entries.
 */
export async function prepareQuery(
  call: OrgCall,
  f: AuditQuery,
): Promise<(q: AuditSelect) => AuditSelect> {
  const { orgId, services: s } = call;
  if (f.from && f.to && f.from >= f.to) throw invalid('"from" must be before "to"');
  const engine = await authorizeRead(call, 'audit.read', f.scopeId ?? orgId);
  const scopeIds =
    f.scopeId && f.scopeId !== orgId
      ? [...new Set([f.scopeId, ...engine.scopesBelow(f.scopeId)])]
      : null;
  const actorIds = f.actor ? await resolveActors(s, orgId, f.actor) : null;
  return (q) => {
    q = q.where('org_id', '=', orgId);
    if (f.actorId) q = q.where('actor_id', '=', f.actorId);
    if (actorIds) {
      // Two index conditions OR-ed: a bitmap OR over (org, actor_id, seq) and (org, on_behalf_of, seq).
      q = q.where((eb) =>
        eb.or([eb('actor_id', 'in', actorIds), eb('on_behalf_of', 'in', actorIds)]),
      );
    }
    if (f.action) q = q.where('action', '=', f.action);
    if (f.entityType) q = q.where('entity_type', '=', f.entityType);
    if (f.entityId) q = q.where('entity_id', '=', f.entityId);
    if (scopeIds) q = q.where('scope_id', 'in', scopeIds);
    if (f.from) q = q.where('at', '>=', f.from);
    if (f.to) q = q.where('at', '<', f.to);
    return q;
  };
}

/**
 * A1/A2: one page of entries matching the filters, newest first; `nextCursor` continues after
 * the page's last entry (keyset on `seq`, stable while entries are appended).
 *
 * @example
 * const page = await listAudit(s, caller, orgId, { actor: 'alice@', action: 'Updated', limit: 50 });
 */
export async function listAudit(
  call: OrgCall,
  f: AuditFilter = {},
): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
  const { services: s } = call;
  const limit = f.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw invalid('limit must be an integer from 1 to 1000');
  }
  if (f.cursor !== undefined && !/^\d{1,15}$/.test(f.cursor)) throw invalid('invalid cursor');
  const filter = await prepareQuery(call, f);
  let q = filter(s.db.selectFrom('audit_log').selectAll())
    .orderBy('seq', 'desc')
    .limit(limit + 1);
  if (f.cursor) q = q.where('seq', '<', Number(f.cursor));
  const rows = await q.execute();
  const items = rows.slice(0, limit).map(auditView);
  return { items, nextCursor: rows.length > limit ? String(items[items.length - 1]!.seq) : null };
}

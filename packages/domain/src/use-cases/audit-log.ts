/** Reading the audit log (A1, A2 basic filters), newest first, keyset-paginated by sequence. */
import type { AuditRow } from '@gatehouse/db';
import type { Caller } from '../context.js';
import { authorizeRead } from '../org-read.js';
import type { Services } from '../services.js';

/** An audit entry as the API shows it. */
export interface AuditEntryView {
  readonly seq: number;
  readonly id: string;
  readonly at: string;
  readonly actorId: string;
  readonly actorLabel: string | null;
  readonly onBehalfOf: string | null;
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly scopeId: string | null;
  readonly before: unknown;
  readonly after: unknown;
  readonly source: string;
  readonly requestId: string | null;
  readonly revision: number;
  readonly hash: string;
}

/** Filters of `listAudit`. */
export interface AuditFilter {
  readonly actorId?: string | undefined;
  readonly action?: string | undefined;
  readonly entityType?: string | undefined;
  readonly entityId?: string | undefined;
  readonly scopeId?: string | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string | undefined;
  readonly limit?: number | undefined;
}

/** Maps a row to its view. */
export function auditView(r: AuditRow): AuditEntryView {
  return {
    seq: Number(r.seq),
    id: r.id,
    at: new Date(r.at).toISOString(),
    actorId: r.actor_id,
    actorLabel: r.actor_label,
    onBehalfOf: r.on_behalf_of,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    scopeId: r.scope_id,
    before: r.before,
    after: r.after,
    source: r.source,
    requestId: r.request_id,
    revision: r.revision,
    hash: r.hash,
  };
}

/** A1/A2: entries matching the filters, newest first (`audit.read` at the root). */
export async function listAudit(
  s: Services,
  caller: Caller,
  orgId: string,
  f: AuditFilter = {},
): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
  await authorizeRead(s, caller, orgId, 'audit.read', orgId);
  const limit = f.limit ?? 100;
  let q = s.db
    .selectFrom('audit_log')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('seq', 'desc')
    .limit(limit + 1);
  if (f.actorId) q = q.where('actor_id', '=', f.actorId);
  if (f.action) q = q.where('action', '=', f.action);
  if (f.entityType) q = q.where('entity_type', '=', f.entityType);
  if (f.entityId) q = q.where('entity_id', '=', f.entityId);
  if (f.scopeId) q = q.where('scope_id', '=', f.scopeId);
  if (f.from) q = q.where('at', '>=', f.from);
  if (f.to) q = q.where('at', '<', f.to);
  if (f.cursor) q = q.where('seq', '<', Number(f.cursor));
  const rows = await q.execute();
  const items = rows.slice(0, limit).map(auditView);
  return { items, nextCursor: rows.length > limit ? String(items[items.length - 1]!.seq) : null };
}

/**
 * Reading and extending the audit log (A1–A3): filtered, keyset-paginated pages (newest first),
 * streamed exports (oldest first, in bounded batches), and events the integrating product
 * records into the same hash chain.
 */
import type { AuditRow, Database, SelectQueryBuilder } from '@gatehouse/db';
import { auditStateText, isStorableText } from '../audit.js';
import type { Caller } from '../context.js';
import { invalid } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import { orgEventWrite } from '../org-write.js';
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
  readonly prevHash: string;
  readonly hash: string;
}

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

/** A stored state (canonical JSON text) as its value. */
const parseState = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

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
    before: parseState(r.before),
    after: parseState(r.after),
    source: r.source,
    requestId: r.request_id,
    revision: r.revision,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** `%text%` for LIKE, with the pattern characters in `text` taken literally. */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;
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
async function prepareQuery(
  s: Services,
  caller: Caller,
  orgId: string,
  f: AuditQuery,
): Promise<(q: AuditSelect) => AuditSelect> {
  if (f.from && f.to && f.from >= f.to) throw invalid('"from" must be before "to"');
  const engine = await authorizeRead(s, caller, orgId, 'audit.read', f.scopeId ?? orgId);
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
  s: Services,
  caller: Caller,
  orgId: string,
  f: AuditFilter = {},
): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
  const limit = f.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw invalid('limit must be an integer from 1 to 1000');
  }
  if (f.cursor !== undefined && !/^\d{1,15}$/.test(f.cursor)) throw invalid('invalid cursor');
  const filter = await prepareQuery(s, caller, orgId, f);
  let q = filter(s.db.selectFrom('audit_log').selectAll())
    .orderBy('seq', 'desc')
    .limit(limit + 1);
  if (f.cursor) q = q.where('seq', '<', Number(f.cursor));
  const rows = await q.execute();
  const items = rows.slice(0, limit).map(auditView);
  return { items, nextCursor: rows.length > limit ? String(items[items.length - 1]!.seq) : null };
}

/**
 * A2 export: authorizes now, then yields every matching entry oldest first, reading
 * `batchSize` rows at a time by keyset on `seq`, so an export of millions of entries holds one
 * batch in memory. Stopping the iteration (`break`, `return()`) stops reading.
 *
 * @example
 * for await (const e of await openAuditExport(s, caller, orgId, { entityType: 'member' })) write(e);
 */
export async function openAuditExport(
  s: Services,
  caller: Caller,
  orgId: string,
  f: AuditQuery = {},
  options: { batchSize?: number } = {},
): Promise<AsyncIterable<AuditEntryView>> {
  const filter = await prepareQuery(s, caller, orgId, f);
  const batchSize = options.batchSize ?? 2000;
  return {
    async *[Symbol.asyncIterator]() {
      let after = 0;
      for (;;) {
        const rows = await filter(s.db.selectFrom('audit_log').selectAll())
          .where('seq', '>', after)
          .orderBy('seq', 'asc')
          .limit(batchSize)
          .execute();
        for (const r of rows) yield auditView(r);
        if (rows.length < batchSize) return;
        after = Number(rows[rows.length - 1]!.seq);
      }
    },
  };
}

/** Entity types Gatehouse writes itself: a product cannot record events about them (A3). */
export const RESERVED_ENTITY_TYPES: ReadonlySet<string> = new Set([
  'org',
  'scope',
  'user',
  'member',
  'group',
  'assignment',
  'role',
  'api_client',
  'invitation',
  'scim_token',
  'sso_connection',
  'domain',
  'webhook',
  'audit',
]);

/** An event of the integrating product (A3). */
export interface ProductEventInput {
  /** What happened, as the product names it: `Flow Created`, `Updated`, `Exported`. */
  readonly action: string;
  /** The product's entity type (`Flow`, `Flow Template`); not one of Gatehouse's own. */
  readonly entityType: string;
  readonly entityId: string;
  /** Where it happened; default the org root. The caller needs `audit.write` there. */
  readonly scopeId?: string | undefined;
  readonly before?: unknown;
  readonly after?: unknown;
}

const MAX_STATE_BYTES = 64 * 1024;

/**
 * A3: appends a product event to the org's log, in the same hash chain as Gatehouse's own
 * entries (`audit.write` at the scope). It changes no access, so the org revision does not move;
 * the entry records the revision current when it was written.
 *
 * @example
 * await recordAuditEvent(s, caller, orgId, { action: 'Flow Created', entityType: 'Flow', entityId: 'flow_9', scopeId: wsId, after: { name: 'Onboarding' } });
 */
export async function recordAuditEvent(
  s: Services,
  caller: Caller,
  orgId: string,
  input: ProductEventInput,
): Promise<AuditEntryView> {
  for (const [field, v] of [
    ['action', input.action],
    ['entityType', input.entityType],
    ['entityId', input.entityId],
  ] as const) {
    if (!v.trim() || v.length > 200) throw invalid(`${field} must be 1–200 characters`);
    if (!isStorableText(v)) {
      throw invalid(`${field} must be text without NUL characters or unpaired surrogates`);
    }
  }
  if (RESERVED_ENTITY_TYPES.has(input.entityType)) {
    throw invalid(
      `entity type "${input.entityType}" is Gatehouse's own; record product events under the product's entity types`,
    );
  }
  // Any JSON value is kept exactly: its canonical text is what is stored and hashed.
  for (const [field, v] of [
    ['before', input.before],
    ['after', input.after],
  ] as const) {
    const text = auditStateText(field, v);
    if (text !== null && Buffer.byteLength(text) > MAX_STATE_BYTES) {
      throw invalid(`${field} must be at most ${MAX_STATE_BYTES} bytes of JSON`);
    }
  }
  const scopeId = input.scopeId ?? orgId;
  // Ordered with every other write's entries by the org lock; the revision does not move.
  const { audited } = await orgEventWrite(s, caller, orgId, async (w) => {
    w.authorize('audit.write', scopeId);
    w.audit({
      action: input.action.trim(),
      entityType: input.entityType.trim(),
      entityId: input.entityId,
      scopeId,
      before: input.before,
      after: input.after,
    });
  });
  const row = await s.db
    .selectFrom('audit_log')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('seq', '=', audited[0]!.seq)
    .executeTakeFirstOrThrow();
  return auditView(row);
}

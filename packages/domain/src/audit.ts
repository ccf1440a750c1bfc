/**
 * The audit log (A1, A4): entries appended inside the write's transaction, each carrying the
 * hash of the previous one, so a changed or deleted row breaks the chain.
 */
import { createHash } from 'node:crypto';
import { type Database, newId, type Transaction } from '@gatehouse/db';

/** What a use case records about one change. */
export interface AuditInput {
  /** `Created`, `Updated`, `Deleted`, or a specific verb (`RoleAssigned`, `Deactivated`). */
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly scopeId?: string | null | undefined;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Who and where, stamped on every entry of one write. */
export interface AuditStamp {
  readonly orgId: string;
  readonly actorId: string;
  readonly actorLabel: string | null;
  readonly onBehalfOf: string | null;
  readonly source: string;
  readonly requestId: string | null;
  readonly revision: number;
}

/** The genesis hash: the `prev_hash` of an org's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields the hash covers, in a fixed order. */
export function entryHash(prevHash: string, e: Record<string, unknown>): string {
  const canonical = JSON.stringify([
    e.org_id,
    Number(e.seq),
    e.id,
    new Date(e.at as string | Date).toISOString(),
    e.actor_id,
    e.actor_label ?? null,
    e.on_behalf_of ?? null,
    e.action,
    e.entity_type,
    e.entity_id,
    e.scope_id ?? null,
    canonicalJson(e.before),
    canonicalJson(e.after),
    e.source,
    e.request_id ?? null,
    Number(e.revision),
  ]);
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
}

/** JSON with sorted keys, so a jsonb round trip (which reorders keys) hashes the same. */
function canonicalJson(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const parsed = typeof v === 'string' ? JSON.parse(v) : v;
  return JSON.stringify(sortKeys(parsed));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/**
 * Appends entries after the org's last one. The caller holds the org row lock (every write
 * does), so sequence numbers and the chain cannot interleave.
 */
export async function appendAudit(
  trx: Transaction<Database>,
  stamp: AuditStamp,
  entries: readonly AuditInput[],
): Promise<Array<{ seq: number; id: string; hash: string }>> {
  if (entries.length === 0) return [];
  const { audit_seq } = await trx
    .updateTable('orgs')
    .set((eb) => ({ audit_seq: eb('audit_seq', '+', entries.length) }))
    .where('id', '=', stamp.orgId)
    .returning('audit_seq')
    .executeTakeFirstOrThrow();
  let seq = audit_seq - entries.length;
  const last = await trx
    .selectFrom('audit_log')
    .select('hash')
    .where('org_id', '=', stamp.orgId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  // After retention pruned every entry, the chain continues from the signed checkpoint.
  let prev = last?.hash ?? (await checkpointHash(trx, stamp.orgId)) ?? GENESIS_HASH;
  const at = new Date();
  const rows = entries.map((e) => {
    seq += 1;
    const row = {
      org_id: stamp.orgId,
      seq,
      id: newId('audit'),
      at,
      actor_id: stamp.actorId,
      actor_label: stamp.actorLabel,
      on_behalf_of: stamp.onBehalfOf,
      action: e.action,
      entity_type: e.entityType,
      entity_id: e.entityId,
      scope_id: e.scopeId ?? null,
      before: e.before === undefined || e.before === null ? null : JSON.stringify(e.before),
      after: e.after === undefined || e.after === null ? null : JSON.stringify(e.after),
      source: stamp.source,
      request_id: stamp.requestId,
      revision: stamp.revision,
      prev_hash: prev,
    };
    const hash = entryHash(prev, row);
    prev = hash;
    return { ...row, hash };
  });
  await trx.insertInto('audit_log').values(rows).execute();
  return rows.map((r) => ({ seq: r.seq, id: r.id, hash: r.hash }));
}

/** The hash the newest retention checkpoint left (the last pruned entry's), if any. */
async function checkpointHash(trx: Transaction<Database>, orgId: string): Promise<string | null> {
  const cp = await trx
    .selectFrom('audit_checkpoints')
    .select('hash')
    .where('org_id', '=', orgId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return cp?.hash ?? null;
}

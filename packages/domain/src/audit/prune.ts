/** A6: pruning an org's audit entries past retention behind a signed checkpoint. */
import type { OrgCall } from '../call.js';
import { invalid, invariant, notFound } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { auditSigningKey, signCheckpoint } from './signing.js';
import { walkChain } from './verify.js';

/** The retention setting: whole days, 1 to 36500, or null when unset. */
export function retentionDays(settings: Record<string, unknown>): number | null {
  const v = settings.auditRetentionDays;
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 36_500) {
    throw invalid('auditRetentionDays must be a whole number of days from 1 to 36500');
  }
  return v;
}

/** What a prune did. */
export interface PruneResult {
  readonly retentionDays: number | null;
  /** Entries deleted. */
  readonly pruned: number;
  /** The last deleted entry's seq (the new checkpoint), or null when nothing was old enough. */
  readonly throughSeq: number | null;
}

/**
 * A4 retention: deletes the entries older than `auditRetentionDays` (org setting), after
 * verifying them, and stores a signed checkpoint of the last one deleted; the prune itself is
 * audited. Refused (INVARIANT) when the part to delete fails verification, so pruning cannot
 * launder tampering. Needs `org.update` at the root (who sets the retention).
 */
export async function pruneAudit(
  call: OrgCall,
  options: { now?: Date; batchSize?: number } = {},
): Promise<WriteResult<PruneResult>> {
  const { orgId, services: s } = call;
  await authorizeRead(call, 'org.update', orgId);
  const org = await s.db
    .selectFrom('orgs')
    .select('settings')
    .where('id', '=', orgId)
    .executeTakeFirst();
  if (!org) throw notFound(`organization ${orgId}`);
  const days = retentionDays(org.settings);
  const now = options.now ?? s.options?.now?.() ?? new Date();
  const cutoff = new Date(now.getTime() - (days ?? 0) * 86_400_000);
  const target = days
    ? await s.db
        .selectFrom('audit_log')
        .select(['seq', 'hash'])
        .where('org_id', '=', orgId)
        .where('at', '<', cutoff)
        .orderBy('at', 'desc')
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst()
    : undefined;
  const key = await auditSigningKey(s);
  // Verify what is about to go before the write, so the org lock is not held meanwhile.
  if (target) {
    const v = await walkChain(s.db, key, orgId, Number(target.seq), options.batchSize ?? 2000);
    if (!v.ok) {
      throw invariant(
        `refusing to prune: the audit chain is broken at entry ${v.broken!.seq} (${v.broken!.message})`,
      );
    }
  }
  return orgWrite(call, async (w) => {
    w.authorize('org.update', orgId);
    if (!days || !target) return { retentionDays: days, pruned: 0, throughSeq: null };
    const throughSeq = Number(target.seq);
    const still = await w.trx
      .selectFrom('audit_log')
      .select('hash')
      .where('org_id', '=', orgId)
      .where('seq', '=', throughSeq)
      .executeTakeFirst();
    if (still?.hash !== target.hash) {
      throw invariant(`entry ${throughSeq} changed while pruning; verify the chain and retry`);
    }
    const del = await w.trx
      .deleteFrom('audit_log')
      .where('org_id', '=', orgId)
      .where('seq', '<=', throughSeq)
      .executeTakeFirst();
    const pruned = Number(del.numDeletedRows);
    const fields = { orgId, seq: throughSeq, hash: target.hash, pruned, at: now };
    await w.trx
      .insertInto('audit_checkpoints')
      .values({
        org_id: orgId,
        seq: throughSeq,
        hash: target.hash,
        pruned,
        at: now,
        key_id: key.id,
        signature: signCheckpoint(key, fields),
      })
      .execute();
    const after = { retentionDays: days, pruned, throughSeq, checkpointHash: target.hash };
    w.audit({ action: 'Pruned', entityType: 'audit', entityId: orgId, scopeId: orgId, after });
    w.emit('audit.pruned', after);
    return { retentionDays: days, pruned, throughSeq };
  });
}

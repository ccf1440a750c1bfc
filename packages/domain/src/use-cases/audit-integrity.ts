/**
 * Tamper evidence and retention of the audit log (A4).
 *
 * `verifyAuditChain` recomputes every entry's hash in order, streaming in keyset batches, and
 * names the first entry where the chain breaks: a changed entry (its hash no longer matches its
 * content), a deleted one (a gap in `seq`, or entries missing at the end), a replaced one (the
 * next entry's `prev_hash` no longer matches), or a forged retention checkpoint.
 *
 * `pruneAudit` deletes entries older than the org setting `auditRetentionDays`, after verifying
 * them, and leaves a checkpoint signed with the instance key so the remaining chain verifies
 * from there. A hash chain proves that nothing was changed *without rewriting every later
 * entry*; keep the `headHash` that verification reports somewhere else to catch that too.
 */
import type { Database, DB, Transaction } from '@gatehouse/db';
import { entryHash, GENESIS_HASH } from '../audit.js';
import {
  auditSigningKey,
  checkpointSignatureValid,
  type SigningKey,
  signCheckpoint,
} from '../audit-signing.js';
import type { Caller } from '../context.js';
import { invalid, invariant, notFound } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import type { Services } from '../services.js';

type Q = DB | Transaction<Database>;

/** Why the chain is broken at an entry. */
export type AuditBreakReason =
  /** The retention checkpoint's signature does not match (forged or edited checkpoint). */
  | 'checkpoint_signature'
  /** An entry is missing: deleted from the middle or from the end. */
  | 'missing_entry'
  /** The entry's `prev_hash` is not the previous entry's hash (the previous one was replaced). */
  | 'prev_hash_mismatch'
  /** The entry's content does not match its hash (changed after it was written). */
  | 'hash_mismatch';

/** The first place the chain breaks. */
export interface AuditBreak {
  readonly seq: number;
  /** The stored entry's id; null when the entry is missing or it is the checkpoint. */
  readonly entryId: string | null;
  readonly reason: AuditBreakReason;
  readonly message: string;
}

/** The outcome of verifying an org's chain. */
export interface AuditVerification {
  readonly ok: boolean;
  /** Entries whose hash was recomputed. */
  readonly checked: number;
  /** Sequence numbers covered: from the first entry after the checkpoint (or 1) to the last. */
  readonly fromSeq: number;
  readonly toSeq: number;
  /** The hash of the last entry checked (record it elsewhere to anchor the chain). */
  readonly headHash: string;
  /** The retention checkpoint verification started from, if any. */
  readonly checkpoint: { readonly seq: number; readonly at: string; readonly keyId: string } | null;
  /** The first break; null when `ok`. */
  readonly broken: AuditBreak | null;
}

/** Walks the chain of `orgId` up to `untilSeq`, `batchSize` rows at a time. */
async function walkChain(
  db: Q,
  key: SigningKey,
  orgId: string,
  untilSeq: number,
  batchSize: number,
): Promise<AuditVerification> {
  const cp = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  let prev = GENESIS_HASH;
  let expected = 1;
  let checked = 0;
  const checkpoint = cp
    ? { seq: Number(cp.seq), at: new Date(cp.at).toISOString(), keyId: cp.key_id }
    : null;
  const result = (broken: AuditBreak | null): AuditVerification => ({
    ok: broken === null,
    checked,
    fromSeq: checkpoint ? checkpoint.seq + 1 : 1,
    toSeq: expected - 1,
    headHash: prev,
    checkpoint,
    broken,
  });
  if (cp) {
    const fields = {
      orgId,
      seq: Number(cp.seq),
      hash: cp.hash,
      pruned: cp.pruned,
      at: new Date(cp.at),
    };
    if (!checkpointSignatureValid(key, fields, cp.signature)) {
      return result({
        seq: fields.seq,
        entryId: null,
        reason: 'checkpoint_signature',
        message:
          cp.key_id === key.id
            ? `the retention checkpoint at seq ${fields.seq} does not match its signature: it was forged or edited`
            : `the retention checkpoint at seq ${fields.seq} is signed by key ${cp.key_id}, not by this instance's key ${key.id} (forged, or the signing key changed)`,
      });
    }
    prev = cp.hash;
    expected = fields.seq + 1;
  }
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('seq', '>=', expected)
      .where('seq', '<=', untilSeq)
      .orderBy('seq', 'asc')
      .limit(batchSize)
      .execute();
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== expected) {
        return result({
          seq: expected,
          entryId: null,
          reason: 'missing_entry',
          message: `entry ${expected} is missing: the entry after ${expected - 1} is ${seq}`,
        });
      }
      if (r.prev_hash !== prev) {
        return result({
          seq,
          entryId: r.id,
          reason: 'prev_hash_mismatch',
          message:
            expected === 1 || (checkpoint && expected === checkpoint.seq + 1)
              ? `entry ${seq} does not continue from ${checkpoint ? `the checkpoint at ${checkpoint.seq}` : 'the start of the log'}`
              : `entry ${seq} does not continue from entry ${seq - 1}: entry ${seq - 1} was changed or replaced after ${seq} was written`,
        });
      }
      if (entryHash(prev, r) !== r.hash) {
        return result({
          seq,
          entryId: r.id,
          reason: 'hash_mismatch',
          message: `entry ${seq} (${r.id}) does not match its hash: it was changed after it was written`,
        });
      }
      prev = r.hash;
      expected++;
      checked++;
    }
    if (rows.length < batchSize) break;
  }
  if (expected <= untilSeq) {
    return result({
      seq: expected,
      entryId: null,
      reason: 'missing_entry',
      message:
        expected === untilSeq
          ? `entry ${expected} (the newest) is missing`
          : `entries ${expected} to ${untilSeq} are missing (the log ends at ${expected - 1})`,
    });
  }
  return result(null);
}

/**
 * A4: recomputes the org's whole chain, oldest first, from the signed retention checkpoint if
 * there is one (`audit.read` at the root). Streams in batches: memory does not grow with the log.
 *
 * @example
 * const v = await verifyAuditChain(s, caller, orgId);
 * if (!v.ok) console.error(`broken at ${v.broken!.seq}: ${v.broken!.message}`);
 */
export async function verifyAuditChain(
  s: Services,
  caller: Caller,
  orgId: string,
  options: { batchSize?: number } = {},
): Promise<AuditVerification> {
  await authorizeRead(s, caller, orgId, 'audit.read', orgId);
  const org = await s.db
    .selectFrom('orgs')
    .select('audit_seq')
    .where('id', '=', orgId)
    .executeTakeFirst();
  if (!org) throw notFound(`organization ${orgId}`);
  const key = await auditSigningKey(s);
  return walkChain(s.db, key, orgId, org.audit_seq, options.batchSize ?? 2000);
}

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
  s: Services,
  caller: Caller,
  orgId: string,
  options: { now?: Date; batchSize?: number } = {},
): Promise<WriteResult<PruneResult>> {
  await authorizeRead(s, caller, orgId, 'org.update', orgId);
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
  return orgWrite(s, caller, orgId, async (w) => {
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

/** A2: verifying an org's audit hash chain from its retention checkpoint. */

import type { Database, DB, Transaction } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { notFound } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import { entryHash, GENESIS_HASH } from './append.js';
import { auditSigningKey, checkpointSignatureValid, type SigningKey } from './signing.js';

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
export async function walkChain(
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
  call: OrgCall,
  options: { batchSize?: number } = {},
): Promise<AuditVerification> {
  const { orgId, services: s } = call;
  await authorizeRead(call, 'audit.read', orgId);
  const org = await s.db
    .selectFrom('orgs')
    .select('audit_seq')
    .where('id', '=', orgId)
    .executeTakeFirst();
  if (!org) throw notFound(`organization ${orgId}`);
  const key = await auditSigningKey(s);
  return walkChain(s.db, key, orgId, org.audit_seq, options.batchSize ?? 2000);
}

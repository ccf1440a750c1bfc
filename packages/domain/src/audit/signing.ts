/**
 * Signed audit checkpoints (A4). Retention deletes old entries; the checkpoint it leaves names
 * the last deleted entry's `seq` and `hash`, and is signed with an instance HMAC key, so
 * verification can start from it and a forged or edited checkpoint is detected.
 *
 * The key, in order of preference:
 * 1. `ServiceOptions.auditSigningKey`, or the environment variable `GATEHOUSE_AUDIT_SIGNING_KEY`
 *    (≥ 32 characters). Kept outside the database, it protects checkpoints even against someone
 *    who can write to the database. Rotating it makes older checkpoints fail verification, so
 *    keep the old key until the next prune has written a checkpoint signed with the new one.
 * 2. Otherwise a random key generated on first use and stored in `instance_secrets`. That guards
 *    against edits through the API and casual row edits, but not against an attacker with full
 *    database access (who can read the key); use option 1 for that threat.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Database, DB, Transaction } from '@gatehouse/db';
import { instanceSecret } from '../rules/index.js';
import type { Services } from '../services.js';

/** The environment variable holding the audit signing key. */
export const AUDIT_SIGNING_KEY_ENV = 'GATEHOUSE_AUDIT_SIGNING_KEY';
const STORED_KEY_ID = 'audit_signing_key';

/** A signing key and its public id (a hash prefix, so a checkpoint says which key signed it). */
export interface SigningKey {
  readonly secret: string;
  readonly id: string;
}

/** The fields a checkpoint signature covers. */
export interface CheckpointFields {
  readonly orgId: string;
  readonly seq: number;
  readonly hash: string;
  readonly pruned: number;
  readonly at: Date;
}

const keyId = (secret: string) =>
  `k_${createHash('sha256').update(secret).digest('hex').slice(0, 12)}`;

/** The instance's audit signing key (see the module comment for where it comes from). */
export async function auditSigningKey(
  s: Services,
  db: DB | Transaction<Database> = s.db,
): Promise<SigningKey> {
  const configured = s.options?.auditSigningKey ?? process.env[AUDIT_SIGNING_KEY_ENV];
  const secret = await instanceSecret(db, {
    configured,
    envName: AUDIT_SIGNING_KEY_ENV,
    storedId: STORED_KEY_ID,
  });
  return { secret, id: keyId(secret) };
}

/** HMAC-SHA256 over the checkpoint's fields, hex. */
export function signCheckpoint(key: SigningKey, c: CheckpointFields): string {
  const payload = JSON.stringify([c.orgId, c.seq, c.hash, c.pruned, c.at.toISOString()]);
  return createHmac('sha256', key.secret).update(payload).digest('hex');
}

/** True when `signature` is this key's signature of the fields (constant-time compare). */
export function checkpointSignatureValid(
  key: SigningKey,
  c: CheckpointFields,
  signature: string,
): boolean {
  const want = Buffer.from(signCheckpoint(key, c), 'hex');
  const got = Buffer.from(signature, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

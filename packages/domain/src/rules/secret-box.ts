/**
 * Secrets held for a short while (issue 10 §4): a one-time link's token waits in the email outbox
 * until the email is sent, encrypted with AES-256-GCM under the instance secret key, and is erased
 * after delivery, a final failure, cancellation or expiry. No table or log holds it in plain.
 *
 * The key, in order of preference:
 * 1. `ServiceOptions.secretKey`, or the environment variable `GATEHOUSE_SECRET_KEY` (at least 32
 *    characters). Kept outside the database, a copy of the database (a backup, a dump, a replica)
 *    does not reveal pending links.
 * 2. Otherwise a random key generated on first use and stored in `instance_secrets`, so
 *    `pnpm start` needs no setting and every process on the database agrees on it. That keeps
 *    tokens out of the outbox rows, exports and logs, but someone holding the whole database can
 *    read the key too; set the variable in production.
 *
 * The 256-bit AES key is derived from either with HKDF-SHA256. A box names the key's id, so one
 * sealed under another key fails with a message saying so (the variable changed).
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { Database, DB, Transaction } from '@gatehouse/db';
import { instanceSecret } from './instance-secret.js';

/** The environment variable holding the instance secret key. */
export const SECRET_KEY_ENV = 'GATEHOUSE_SECRET_KEY';
const STORED_KEY_ID = 'secret_box_key';
const VERSION = 'v1';

/** An AES-256-GCM key and its public id. */
export interface SecretKey {
  readonly id: string;
  readonly key: Buffer;
}

/** A box that cannot be opened: sealed under another key, or changed. */
export class SecretBoxError extends Error {}

function deriveKey(material: string): SecretKey {
  const key = Buffer.from(hkdfSync('sha256', material, '', 'gatehouse secret box v1', 32));
  return { key, id: `k_${createHash('sha256').update(key).digest('hex').slice(0, 12)}` };
}

/**
 * The instance secret key (see the module comment for where it comes from).
 *
 * @example
 * const key = await instanceSecretKey(s.db, s.options?.secretKey);
 */
export async function instanceSecretKey(
  db: DB | Transaction<Database>,
  configured: string | undefined = process.env[SECRET_KEY_ENV],
): Promise<SecretKey> {
  const secret = await instanceSecret(db, {
    configured,
    envName: SECRET_KEY_ENV,
    storedId: STORED_KEY_ID,
  });
  return deriveKey(secret);
}

const b64 = (b: Buffer) => b.toString('base64url');

/**
 * Encrypts `plaintext`, bound to `context` (the row it is stored in: a box copied to another row
 * does not open). Returns `v1.<key id>.<iv>.<ciphertext>.<tag>`.
 */
export function sealSecret(key: SecretKey, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(context));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, key.id, b64(iv), b64(ct), b64(cipher.getAuthTag())].join('.');
}

/** Decrypts a box made by `sealSecret` for the same `context`; SecretBoxError when it cannot. */
export function openSecret(key: SecretKey, box: string, context: string): string {
  const [version, keyId, iv, ct, tag] = box.split('.');
  if (version !== VERSION || !iv || !ct || !tag) throw new SecretBoxError('not a secret box');
  if (keyId !== key.id) {
    throw new SecretBoxError(
      `sealed under key ${keyId}, not this instance's key ${key.id} (did ${SECRET_KEY_ENV} change?)`,
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(ct, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new SecretBoxError('the secret box was changed or belongs to another row');
  }
}

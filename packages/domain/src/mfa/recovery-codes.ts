/**
 * Recovery codes: ten per user, each usable once instead of a TOTP code (a lost phone). 80 random
 * bits each (`abcd-efgh-jkmn-pqrs`, lower-case letters and digits without look-alikes), shown once
 * and stored as the SHA-256 of the user id and the code: random codes need no slow hash, and the
 * user id keeps one precomputed table from serving every account.
 */
import { randomBytes } from 'node:crypto';
import type { Database, Transaction } from '@gatehouse/db';
import { hashSecret } from '../rules/index.js';

/** How many codes a user gets. */
export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** A new code, `xxxx-xxxx-xxxx-xxxx`. */
function newCode(): string {
  const bytes = randomBytes(16);
  let out = '';
  for (let i = 0; i < 16; i++) {
    out += ALPHABET[bytes[i]! % 32];
    if (i % 4 === 3 && i < 15) out += '-';
  }
  return out;
}

/** A code as typed, reduced to what counts: case, spaces and dashes do not. */
export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[^0-9a-z]/g, '');
}

/** The stored form of a user's code. */
export function recoveryCodeHash(userId: string, code: string): string {
  return hashSecret(`${userId}:${normalizeRecoveryCode(code)}`);
}

/** Replaces a user's recovery codes with ten new ones; returns them (shown once). */
export async function replaceRecoveryCodes(
  trx: Transaction<Database>,
  userId: string,
  now: Date,
): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
  await trx
    .insertInto('mfa_recovery_codes')
    .values(
      codes.map((c) => ({
        user_id: userId,
        code_hash: recoveryCodeHash(userId, c),
        created_at: now,
      })),
    )
    .execute();
  return codes;
}

/** How many of a user's codes are still unused. */
export async function recoveryCodesLeft(
  db: Pick<Transaction<Database>, 'selectFrom'>,
  userId: string,
): Promise<number> {
  const row = await db
    .selectFrom('mfa_recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

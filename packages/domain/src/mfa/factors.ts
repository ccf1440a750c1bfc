/** TOTP factors as stored: the confirmed one of a user, and its secret (sealed at rest). */
import type { Database, DB, MfaFactorRow, Transaction } from '@gatehouse/db';
import { instanceSecretKey, openSecret, type SecretKey, sealSecret } from '../rules/index.js';
import type { Services } from '../services.js';

type Reader = Pick<DB | Transaction<Database>, 'selectFrom'>;

/** What a factor's sealed secret is bound to: its row. */
const context = (factorId: string) => `mfa_factors:${factorId}`;

/** The instance key factor secrets are sealed under. */
export function factorKey(s: Services, db: DB | Transaction<Database> = s.db): Promise<SecretKey> {
  return instanceSecretKey(db, s.options?.secretKey);
}

/** A secret sealed for the factor `factorId`. */
export function sealFactorSecret(key: SecretKey, factorId: string, secret: string): string {
  return sealSecret(key, secret, context(factorId));
}

/** The plain secret of a factor row. */
export function openFactorSecret(key: SecretKey, row: MfaFactorRow): string {
  return openSecret(key, row.secret_sealed, context(row.id));
}

/** The user's confirmed factor, if any. */
export async function confirmedFactor(
  db: Reader,
  userId: string,
): Promise<MfaFactorRow | undefined> {
  return db
    .selectFrom('mfa_factors')
    .selectAll()
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is not', null)
    .executeTakeFirst();
}

/** The user's newest pending (not yet confirmed) factor, if any. */
export async function pendingFactor(db: Reader, userId: string): Promise<MfaFactorRow | undefined> {
  return db
    .selectFrom('mfa_factors')
    .selectAll()
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/**
 * Removes every factor and recovery code of a user and clears `users.mfa_enrolled` (disable,
 * an admin's reset); pending sign-in challenges stop working. Returns how many factors went.
 */
export async function removeFactors(
  trx: Transaction<Database>,
  userId: string,
  now: Date,
): Promise<number> {
  const gone = await trx
    .deleteFrom('mfa_factors')
    .where('user_id', '=', userId)
    .returning('id')
    .execute();
  await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
  await trx
    .updateTable('mfa_challenges')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .execute();
  await trx
    .updateTable('users')
    .set({ mfa_enrolled: false, updated_at: now })
    .where('id', '=', userId)
    .execute();
  return gone.length;
}

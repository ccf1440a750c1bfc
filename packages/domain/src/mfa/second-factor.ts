/**
 * Checking a second factor: a TOTP code of the user's confirmed factor, or one of their recovery
 * codes. Checked first outside any transaction (like a password: a wrong one is counted against
 * the address's login throttle, ../rules/login-throttle.ts, and refused with UNAUTHENTICATED),
 * then used up inside the write that acts on it, compare-and-set, so two requests with the same
 * code cannot both pass: a TOTP code's step must be newer than the factor's last accepted step
 * (a code works once, even within its 90-second window), a recovery code must still be unused.
 */
import type { Database, Transaction } from '@gatehouse/db';
import { DomainError, invalid } from '../errors.js';
import { clock } from '../invitations/index.js';
import { recordLoginFailure, refuseWhenThrottled } from '../rules/index.js';
import type { Services } from '../services.js';
import { confirmedFactor, factorKey, openFactorSecret } from './factors.js';
import { normalizeRecoveryCode, recoveryCodeHash } from './recovery-codes.js';
import { checkTotp } from './totp.js';

/** A second factor as presented: exactly one of the two. */
export interface SecondFactorInput {
  /** The six digits the authenticator app shows. */
  readonly code?: string | undefined;
  /** One of the recovery codes. */
  readonly recoveryCode?: string | undefined;
}

/** A second factor that checked out, to be used up by `useSecondFactor`. */
export type SecondFactorProof =
  | { readonly kind: 'totp'; readonly factorId: string; readonly step: number }
  | { readonly kind: 'recovery'; readonly codeHash: string };

/** Who presents it, for the throttle. */
export interface SecondFactorUser {
  readonly id: string;
  readonly email_lower: string;
}

/** The messages of a refused second factor. */
export const SECOND_FACTOR_PROBLEMS = {
  wrong: 'the code is wrong; enter the code your authenticator app shows now',
  replayed: 'this code was already used; wait for the next code in your authenticator app',
  recoveryWrong: 'the recovery code is wrong',
  recoveryUsed: 'this recovery code was already used; each works once',
} as const;

const refused = (message: string) => new DomainError('UNAUTHENTICATED', message);

/** INVALID unless exactly one of `code` and `recoveryCode` is given. */
export function assertOneFactor(input: SecondFactorInput): void {
  if (!input.code === !input.recoveryCode) {
    throw invalid('give either code (from the authenticator app) or recoveryCode, not both');
  }
}

/**
 * Checks `input` for `user` (see the module comment); a wrong one counts as a failed login for
 * the address (`orgId`, `ip` recorded with it). INVALID when the user has no confirmed factor.
 */
export async function checkSecondFactor(
  s: Services,
  user: SecondFactorUser,
  input: SecondFactorInput,
  where: { readonly orgId: string; readonly ip?: string | undefined },
): Promise<SecondFactorProof> {
  assertOneFactor(input);
  const now = clock(s);
  await refuseWhenThrottled(s, user.email_lower, now);
  const fail = async (message: string) => {
    await recordLoginFailure(
      s,
      { emailLower: user.email_lower, orgId: where.orgId, ip: where.ip },
      now,
    );
    return refused(message);
  };
  const factor = await confirmedFactor(s.db, user.id);
  if (!factor) {
    throw invalid('this account has no authenticator enrolled (accounts.enrollTotp sets one up)');
  }
  if (input.recoveryCode !== undefined) {
    if (!normalizeRecoveryCode(input.recoveryCode))
      throw await fail(SECOND_FACTOR_PROBLEMS.recoveryWrong);
    const codeHash = recoveryCodeHash(user.id, input.recoveryCode);
    const row = await s.db
      .selectFrom('mfa_recovery_codes')
      .select('used_at')
      .where('user_id', '=', user.id)
      .where('code_hash', '=', codeHash)
      .executeTakeFirst();
    if (!row) throw await fail(SECOND_FACTOR_PROBLEMS.recoveryWrong);
    if (row.used_at) throw await fail(SECOND_FACTOR_PROBLEMS.recoveryUsed);
    return { kind: 'recovery', codeHash };
  }
  const secret = openFactorSecret(await factorKey(s), factor);
  const check = await checkTotp(secret, (input.code ?? '').trim(), now, factor.last_used_step);
  if (!check.ok) throw await fail(SECOND_FACTOR_PROBLEMS[check.why]);
  return { kind: 'totp', factorId: factor.id, step: check.step };
}

/**
 * Uses up a checked second factor inside the write that acts on it; UNAUTHENTICATED when a
 * concurrent request used it first (or the factor went meanwhile).
 */
export async function useSecondFactor(
  trx: Transaction<Database>,
  userId: string,
  proof: SecondFactorProof,
  now: Date,
): Promise<void> {
  if (proof.kind === 'totp') {
    const used = await trx
      .updateTable('mfa_factors')
      .set({ last_used_step: proof.step, last_used_at: now })
      .where('id', '=', proof.factorId)
      .where('user_id', '=', userId)
      .where('confirmed_at', 'is not', null)
      .where((eb) =>
        eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', proof.step)]),
      )
      .returning('id')
      .execute();
    if (used.length === 0) throw refused(SECOND_FACTOR_PROBLEMS.replayed);
    return;
  }
  const used = await trx
    .updateTable('mfa_recovery_codes')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('code_hash', '=', proof.codeHash)
    .where('used_at', 'is', null)
    .returning('code_hash')
    .execute();
  if (used.length === 0) throw refused(SECOND_FACTOR_PROBLEMS.recoveryUsed);
}

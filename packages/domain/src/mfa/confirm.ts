/**
 * Enrolling a TOTP authenticator, step two (issue 14): the first code from the app confirms the
 * pending factor. In one transaction the factor becomes the account's (its code's step recorded,
 * so that code cannot be used again), `users.mfa_enrolled` is set, ten recovery codes are made
 * (returned this once, stored hashed), the session that confirmed counts as `pwd+totp` from now
 * on (it has just shown the factor; a require-MFA restriction lifts), and every org of the
 * account audits `MfaEnrolled`. A wrong first code is INVALID and is not counted against the
 * login throttle: it proves nothing and unlocks nothing.
 */
import type { Call } from '../call.js';
import { conflict, invalid, isUniqueViolation } from '../errors.js';
import { clock } from '../invitations/index.js';
import type { WriteResult } from '../org-write.js';
import { freshPendingFactor } from './enroll.js';
import { factorKey, openFactorSecret } from './factors.js';
import { inEveryOrgOf, ownAccount } from './own-account.js';
import { replaceRecoveryCodes } from './recovery-codes.js';
import { checkTotp } from './totp.js';

/** What confirming gave: the recovery codes, shown this once. */
export interface TotpConfirmed {
  readonly factorId: string;
  readonly confirmedAt: string;
  readonly recoveryCodes: readonly string[];
}

/**
 * Confirms the signed-in user's pending factor with its first `code`.
 *
 * @example
 * const { result } = await confirmTotp(sessionCall, { code: '123456' });
 * result.recoveryCodes; // ten codes: show them once
 */
export async function confirmTotp(
  call: Call,
  input: { readonly code: string },
): Promise<WriteResult<TotpConfirmed>> {
  const s = call.services;
  const me = await ownAccount(call, 'enrolling an authenticator');
  const pending = await freshPendingFactor(call, me.id);
  if (!pending) {
    throw invalid(
      'no authenticator enrollment is waiting (it expires after 30 minutes); start again with accounts.enrollTotp',
    );
  }
  const secret = openFactorSecret(await factorKey(s), pending);
  const now = clock(s);
  const check = await checkTotp(secret, input.code.trim(), now, null);
  if (!check.ok) {
    throw invalid(
      'the code does not match; enter the code the app shows now (if it keeps failing, check that the device’s clock is right)',
    );
  }
  try {
    return await inEveryOrgOf(call, me, async (writes, trx) => {
      const confirmed = await trx
        .updateTable('mfa_factors')
        .set({ confirmed_at: now, last_used_step: check.step, last_used_at: now })
        .where('id', '=', pending.id)
        .where('confirmed_at', 'is', null)
        .returning('id')
        .execute();
      if (confirmed.length === 0) {
        throw invalid('this enrollment was replaced or removed meanwhile; start again');
      }
      await trx
        .deleteFrom('mfa_factors')
        .where('user_id', '=', me.id)
        .where('confirmed_at', 'is', null)
        .execute();
      await trx
        .updateTable('users')
        .set({ mfa_enrolled: true, updated_at: now })
        .where('id', '=', me.id)
        .execute();
      await trx
        .updateTable('sessions')
        .set({ auth_method: 'pwd+totp' })
        .where('org_id', '=', me.principal.orgId)
        .where('id', '=', me.principal.sessionId)
        .where('auth_method', '=', 'pwd')
        .execute();
      const recoveryCodes = await replaceRecoveryCodes(trx, me.id, now);
      for (const w of writes) {
        w.audit({
          action: 'MfaEnrolled',
          entityType: 'user',
          entityId: me.id,
          scopeId: w.orgId,
          after: { factorId: pending.id, kind: 'totp', recoveryCodes: recoveryCodes.length },
        });
        w.emit('user.mfa_enrolled', { userId: me.id, factorId: pending.id });
      }
      return { factorId: pending.id, confirmedAt: now.toISOString(), recoveryCodes };
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw conflict('this account already has an authenticator (confirmed meanwhile)');
    }
    throw e;
  }
}

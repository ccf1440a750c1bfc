/**
 * Turning TOTP off (issue 14), and new recovery codes: both need a current code from the app or
 * one of the recovery codes (a wrong one counts against the login throttle, as a wrong password
 * does, ./second-factor.ts), and both are recorded in every org of the account. Disabling removes
 * the factor and every recovery code; in an org that requires MFA, the user's password sessions
 * are then restricted to enrolling again.
 */
import type { Call } from '../call.js';
import { clock } from '../invitations/index.js';
import type { WriteResult } from '../org-write.js';
import type { Services } from '../services.js';
import { removeFactors } from './factors.js';
import { inEveryOrgOf, type OwnAccount, ownAccount } from './own-account.js';
import { replaceRecoveryCodes } from './recovery-codes.js';
import {
  checkSecondFactor,
  type SecondFactorInput,
  type SecondFactorProof,
  useSecondFactor,
} from './second-factor.js';

/** Input of `disableTotp` and `regenerateRecoveryCodes`: a current code or a recovery code. */
export type ProveFactorInput = SecondFactorInput & {
  /** The client address, recorded with a wrong code. */
  readonly ip?: string | undefined;
};

async function prove(
  s: Services,
  me: OwnAccount,
  input: ProveFactorInput,
): Promise<SecondFactorProof> {
  return checkSecondFactor(s, me, input, { orgId: me.principal.orgId, ip: input.ip });
}

/**
 * Removes the signed-in user's authenticator and recovery codes.
 *
 * @example
 * await disableTotp(sessionCall, { code: '123456' });
 */
export async function disableTotp(
  call: Call,
  input: ProveFactorInput,
): Promise<WriteResult<{ readonly userId: string; readonly removedFactors: number }>> {
  const s = call.services;
  const me = await ownAccount(call, 'disabling multi-factor authentication');
  const proof = await prove(s, me, input);
  return inEveryOrgOf(call, me, async (writes, trx) => {
    const now = clock(s);
    await useSecondFactor(trx, me.id, proof, now);
    const removedFactors = await removeFactors(trx, me.id, now);
    for (const w of writes) {
      w.audit({
        action: 'MfaDisabled',
        entityType: 'user',
        entityId: me.id,
        scopeId: w.orgId,
        after: { by: me.id, provedWith: proof.kind === 'totp' ? 'code' : 'recovery code' },
      });
      w.emit('user.mfa_disabled', { userId: me.id });
    }
    return { userId: me.id, removedFactors };
  });
}

/**
 * Replaces the signed-in user's recovery codes with ten new ones (the old ones stop working);
 * returned this once.
 *
 * @example
 * const { result } = await regenerateRecoveryCodes(sessionCall, { code: '123456' });
 */
export async function regenerateRecoveryCodes(
  call: Call,
  input: ProveFactorInput,
): Promise<WriteResult<{ readonly recoveryCodes: readonly string[] }>> {
  const s = call.services;
  const me = await ownAccount(call, 'new recovery codes');
  const proof = await prove(s, me, input);
  return inEveryOrgOf(call, me, async (writes, trx) => {
    const now = clock(s);
    await useSecondFactor(trx, me.id, proof, now);
    const recoveryCodes = await replaceRecoveryCodes(trx, me.id, now);
    for (const w of writes) {
      w.audit({
        action: 'MfaRecoveryCodesRegenerated',
        entityType: 'user',
        entityId: me.id,
        scopeId: w.orgId,
        after: { recoveryCodes: recoveryCodes.length },
      });
      w.emit('user.mfa_recovery_codes_regenerated', { userId: me.id });
    }
    return { recoveryCodes };
  });
}

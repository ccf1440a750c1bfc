/**
 * Completing a password sign-in with its second factor (public: the challenge's token and the
 * code are the credentials). The challenge must be usable, the code right (a wrong one counts
 * against the address's login throttle), and the user still an active member allowed to sign in
 * with a password; then, in one write of the org, the challenge and the code are used up, the
 * address's failed logins forgotten, and the session issued (`pwd+totp`, or `pwd+recovery`),
 * audited `LoggedIn`. The failures are forgotten only here, not after the password: a right
 * password must not reset the count of wrong codes. An account the org's auto-join policy (I3)
 * lets in joins here, after its second factor, not on its password alone.
 */
import { newId } from '@gatehouse/db';
import type { Caller, Source } from '../context.js';
import { assertSignInAllowed, autoJoinDomain, autoJoinOnSignIn } from '../domains/index.js';
import { DomainError } from '../errors.js';
import { clock } from '../invitations/index.js';
import { memberStatus } from '../members/index.js';
import { orgEventWrite, type WriteResult } from '../org-write.js';
import type { Services } from '../services.js';
import { type IssuedSession, issueSession } from '../sessions/index.js';
import { usableChallenge, useChallenge } from './challenge.js';
import { checkSecondFactor, type SecondFactorInput, useSecondFactor } from './second-factor.js';

/** Input of `completeMfaLogin`. */
export type CompleteMfaLoginInput = SecondFactorInput & {
  readonly mfaToken: string;
  readonly userAgent?: string | undefined;
  readonly ip?: string | undefined;
};

/** A session issued after both factors. */
export type MfaLoginResult = IssuedSession & { readonly mfaRequired: false };

/**
 * Issues the session a password sign-in's challenge waits for.
 *
 * @example
 * const first = (await login(s, { email, password, orgId })).result;
 * if (first.mfaRequired) await completeMfaLogin(s, { mfaToken: first.mfaToken, code: '123456' });
 */
export async function completeMfaLogin(
  s: Services,
  input: CompleteMfaLoginInput,
  opts: { requestId?: string | undefined; source?: Source | undefined } = {},
): Promise<WriteResult<MfaLoginResult>> {
  const challenge = await usableChallenge(s, input.mfaToken, clock(s));
  const user = { id: challenge.user_id, email_lower: challenge.email_lower };
  const proof = await checkSecondFactor(s, user, input, {
    orgId: challenge.org_id,
    ip: input.ip ?? challenge.ip ?? undefined,
  });
  if (
    (await memberStatusOf(s, challenge.org_id, user.id)) === null &&
    (await autoJoinDomain(s.db, challenge.org_id, challenge.email_lower))
  ) {
    const joiner = { id: user.id, email: challenge.email };
    await autoJoinOnSignIn(s, { orgId: challenge.org_id, user: joiner }, opts);
  }
  const sessionId = newId('session');
  const caller: Caller = {
    principal: { kind: 'user', orgId: challenge.org_id, userId: user.id, sessionId },
    source: opts.source ?? 'api',
    requestId: opts.requestId,
  };
  return orgEventWrite({ services: s, caller, orgId: challenge.org_id }, async (w) => {
    const now = clock(s);
    await useChallenge(w.trx, challenge.id, now);
    if ((await memberStatus(w, user.id)) !== 'active') {
      throw new DomainError(
        'UNAUTHENTICATED',
        'login failed: wrong email or password, or no access to this organization',
      );
    }
    await assertSignInAllowed(w.trx, {
      orgId: challenge.org_id,
      email: challenge.email_lower,
      method: 'password',
    });
    await useSecondFactor(w.trx, user.id, proof, now);
    await w.trx.deleteFrom('login_failures').where('email_lower', '=', user.email_lower).execute();
    const issued = await issueSession(s, w, {
      userId: user.id,
      sessionId,
      method: proof.kind === 'totp' ? 'pwd+totp' : 'pwd+recovery',
      userAgent: input.userAgent ?? challenge.user_agent ?? undefined,
      ip: input.ip ?? challenge.ip ?? undefined,
    });
    return { mfaRequired: false as const, ...issued };
  });
}

/** The user's membership status in `orgId`, or null when not a member. */
async function memberStatusOf(
  s: Services,
  orgId: string,
  userId: string,
): Promise<'active' | 'deactivated' | null> {
  const row = await s.db
    .selectFrom('members')
    .select('status')
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.status ?? null;
}

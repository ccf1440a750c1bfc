/**
 * Users log in to one org with email and password and get a session token (DESIGN "Who is
 * calling"); they log out by ending it. Both are audited writes of that org with the user as
 * actor, ordered with its other writes by the org lock, but they leave the revision alone
 * (`orgEventWrite`): sessions are not in the engine's snapshot, so logins never invalidate it.
 * An account that is not a member joins first when the org's auto-join policy covers its
 * verified domain (I3, ../domains/auto-join.ts). A failed login says the same thing whatever was
 * wrong (unknown email, wrong password, no password, not a member, deactivated), and takes about the same time, so it tells nobody
 * who has an account. Failures are counted per address and throttle further attempts
 * (./login-throttle.ts). An account with a confirmed authenticator gets no session from its
 * password alone: the answer is `{ mfaRequired: true, mfaToken }` (../mfa/challenge.ts), and
 * `completeMfaLogin` issues the session with a code; its failed logins are forgotten only then.
 * Each login deletes that user's sessions in the org that ended (expired
 * or revoked) more than ENDED_SESSION_KEEP_MS ago, so ended sessions stay listed as a record for
 * a while without piling up.
 */
import { newId } from '@gatehouse/db';
import type { Caller, Source } from '../context.js';
import { assertSignInAllowed, autoJoinDomain, autoJoinOnSignIn } from '../domains/index.js';
import { DomainError } from '../errors.js';
import { clock } from '../invitations/index.js';
import { memberStatus } from '../members/index.js';
import { confirmedFactor, issueMfaChallenge, type MfaChallenge } from '../mfa/index.js';
import { orgEventWrite, type WriteResult } from '../org-write.js';
import {
  hashPassword,
  normalizeEmail,
  PASSWORD_MAX,
  recordLoginFailure,
  refuseWhenThrottled,
  verifyPassword,
} from '../rules/index.js';
import type { Services } from '../services.js';
import { issueSession } from './issue.js';
import type { SessionView } from './view.js';

export { DEFAULT_SESSION_TTL_MS } from './issue.js';

/** Input of `login`. */
export interface LoginInput {
  readonly email: string;
  readonly password: string;
  /** The org to sign in to: the session reaches this org only. */
  readonly orgId: string;
  /** Recorded with the session, to tell a user's sessions apart. */
  readonly userAgent?: string | undefined;
  readonly ip?: string | undefined;
}

/** A new session: `token` is shown this once and never stored. */
export interface SessionLogin {
  readonly mfaRequired: false;
  readonly token: string;
  readonly session: SessionView;
}

/** What a login answers: a session, or (an account with an authenticator) the second step. */
export type LoginResult = SessionLogin | MfaChallenge;

/** The one answer to every failed login. */
function loginFailed(): DomainError {
  return new DomainError(
    'UNAUTHENTICATED',
    'login failed: wrong email or password, or no access to this organization',
  );
}

/** A hash to verify against when there is no user, so a miss costs as much as a wrong password. */
let decoy: Promise<string> | undefined;
const decoyHash = () => {
  decoy ??= hashPassword('decoy password, never matches anything');
  return decoy;
};

/**
 * Logs a user in to `orgId`: checks the password (outside the transaction: scrypt is slow), then
 * in one write re-checks that they are an active member, stores the session (token hashed),
 * records the login time and audits `LoggedIn`; or, when the account has an authenticator,
 * stores a second-step challenge instead. Refused with one UNAUTHENTICATED error.
 *
 * @example
 * const { result } = await login(s, { email: 'ana@acme.test', password, orgId });
 * if (!result.mfaRequired) (await authenticateSession(s, result.token)).principal;
 */
export async function login(
  s: Services,
  input: LoginInput,
  opts: { requestId?: string | undefined; source?: Source | undefined } = {},
): Promise<WriteResult<LoginResult>> {
  const { lower } = normalizeEmail(input.email);
  // I4: people of a domain the org verified sign in with its SSO when it requires so. Decided by
  // the address's domain alone, before the password, so it reveals no account.
  const ssoOnly = { orgId: input.orgId, email: lower, method: 'password' } as const;
  await assertSignInAllowed(s.db, ssoOnly);
  await refuseWhenThrottled(s, lower, clock(s));
  const failed = async () => {
    await recordLoginFailure(s, { emailLower: lower, orgId: input.orgId, ip: input.ip }, clock(s));
    return loginFailed();
  };
  if (input.password.length > PASSWORD_MAX) throw await failed();
  const found = await s.db
    .selectFrom('users')
    .leftJoin('members', (j) =>
      j.onRef('members.user_id', '=', 'users.id').on('members.org_id', '=', input.orgId),
    )
    .select(['users.id', 'users.email', 'users.password_hash', 'members.status'])
    .where('users.email_lower', '=', lower)
    .executeTakeFirst();
  const matches = await verifyPassword(input.password, found?.password_hash ?? (await decoyHash()));
  if (!found?.password_hash || !matches) throw await failed();
  // I3: not a member yet, and the org lets its verified domain's people join by signing in. An
  // account with an authenticator joins once it shows its second factor (completeMfaLogin),
  // never on its password alone.
  const joins = found.status === null && (await autoJoinDomain(s.db, input.orgId, lower)) !== null;
  const deferJoin = joins && (await confirmedFactor(s.db, found.id)) !== undefined;
  if (joins && !deferJoin) {
    await autoJoinOnSignIn(s, { orgId: input.orgId, user: found }, opts);
  } else if (found.status !== 'active' && !deferJoin) throw await failed();
  const userId = found.id;
  const sessionId = newId('session');
  const caller: Caller = {
    principal: { kind: 'user', orgId: input.orgId, userId, sessionId },
    source: opts.source ?? 'api',
    requestId: opts.requestId,
  };
  return orgEventWrite<LoginResult>({ services: s, caller, orgId: input.orgId }, async (w) => {
    // Deactivation takes the org lock too: this sees the status as of now.
    const status = await memberStatus(w, userId);
    if (status !== 'active' && !(deferJoin && !status)) throw loginFailed();
    // Again under the org lock: a policy set during the password check applies.
    await assertSignInAllowed(w.trx, ssoOnly);
    if (await confirmedFactor(w.trx, userId)) {
      const where = { userId, orgId: input.orgId, userAgent: input.userAgent, ip: input.ip };
      return issueMfaChallenge(s, w.trx, where, clock(s));
    }
    if (status !== 'active') throw loginFailed();
    // The right password: earlier failures for the address no longer count.
    await w.trx.deleteFrom('login_failures').where('email_lower', '=', lower).execute();
    const issued = await issueSession(s, w, {
      userId,
      sessionId,
      userAgent: input.userAgent,
      ip: input.ip,
    });
    return { mfaRequired: false as const, ...issued };
  });
}

/**
 * The adopter's backend exchanges the one-time code from its redirect_uri, with its own API key,
 * for the profile, the org membership and a Gatehouse user session (`ses_…`, the same kind a
 * password login gives: ../sessions/issue.ts). The code is single use (the row is locked and
 * marked used in the write), short-lived, stored hashed, and only the org it was issued for can
 * exchange it (another org's key gets the same answer as an unknown code).
 */
import { newId } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import type { Caller } from '../context.js';
import { DomainError, forbidden } from '../errors.js';
import { type MemberView, memberStatus, memberView } from '../members/index.js';
import { assertOrgAccess, orgEventWrite, type WriteResult } from '../org-write.js';
import { hashSecret } from '../rules/index.js';
import { type IssuedSession, issueSession } from '../sessions/index.js';
import type { SsoProfile } from './plan.js';

/** What an exchange gives the adopter. */
export interface SsoExchangeResult {
  readonly connectionId: string;
  readonly profile: SsoProfile;
  readonly member: MemberView;
  /** A user session for the org: `token` is shown this once. */
  readonly session: IssuedSession;
}

const badCode = () =>
  new DomainError('UNAUTHENTICATED', 'the SSO code is unknown, expired or already used', {
    details: { reason: 'invalid_code' },
  });

/**
 * Exchanges a one-time SSO code (`sso.exchange`). The caller is the org's API client (or the
 * instance admin); a user session or a SCIM token may not.
 *
 * @example
 * const { result } = await exchangeSsoCode(call, { code: req.query.code });
 * res.cookie('gh', result.session.token);
 */
export async function exchangeSsoCode(
  call: OrgCall,
  input: { code: string; userAgent?: string | undefined; ip?: string | undefined },
): Promise<WriteResult<SsoExchangeResult>> {
  const { services: s, orgId, caller } = call;
  assertOrgAccess(caller, orgId);
  const kind = caller.principal.kind;
  if (kind !== 'client' && kind !== 'instance_admin' && kind !== 'system') {
    throw forbidden('an SSO code is exchanged with an API key of the organization');
  }
  if (caller.onBehalfOf) throw forbidden('an SSO code is exchanged for nobody else');
  const hash = hashSecret(input.code);
  const found = await s.db
    .selectFrom('sso_codes')
    .select(['user_id'])
    .where('org_id', '=', orgId)
    .where('code_hash', '=', hash)
    .executeTakeFirst();
  if (!found) throw badCode();
  const userId = found.user_id;
  const sessionId = newId('session');
  const asUser: Caller = {
    principal: { kind: 'user', orgId, userId, sessionId },
    source: 'sso',
    requestId: caller.requestId,
  };
  const { result, revision } = await orgEventWrite(
    { services: s, caller: asUser, orgId },
    async (w) => {
      const code = await w.trx
        .selectFrom('sso_codes')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('code_hash', '=', hash)
        .forUpdate()
        .executeTakeFirst();
      const now = s.options?.now?.() ?? new Date();
      if (!code || code.used_at !== null || new Date(code.expires_at) <= now) throw badCode();
      await w.trx
        .updateTable('sso_codes')
        .set({ used_at: now })
        .where('org_id', '=', orgId)
        .where('id', '=', code.id)
        .execute();
      // Deactivated between the sign-in and now: no session.
      if ((await memberStatus(w, userId)) !== 'active') {
        throw forbidden('SSO sign-in refused: this member is deactivated in the organization', {
          reason: 'deactivated',
        });
      }
      const session = await issueSession(s, w, {
        userId,
        sessionId,
        userAgent: input.userAgent,
        ip: input.ip,
        via: { method: 'sso', connectionId: code.connection_id },
      });
      return {
        connectionId: code.connection_id,
        profile: code.profile as unknown as SsoProfile,
        member: await memberView(w, userId),
        session,
      };
    },
  );
  return { result, revision };
}

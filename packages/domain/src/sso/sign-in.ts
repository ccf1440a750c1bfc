/**
 * I2: completes a sign-in the IdP vouched for (the protocol layer has checked the ID token:
 * issuer, audience, signature, expiry, nonce, and the PKCE-bound code): provisions just in time
 * as one `orgWrite` acting as the connection (source `sso`), then hands out a one-time code for
 * the adopter's redirect_uri. The user and membership rules are the SCIM directory's own
 * (`ensureMember`, `joinOrg`, `grantDefaultRole`, `updateProfileWhereSoleOrg` in rules/people.ts)
 * and group changes go through the SCIM directory's set-based helpers, so both ways in audit
 * and event the same way.
 */
import { newId } from '@gatehouse/db';
import type { Caller } from '../context.js';
import { DomainError } from '../errors.js';
import { orgWrite } from '../org-write.js';
import {
  ensureMember,
  grantDefaultRole,
  issueCredential,
  joinOrg,
  updateProfileWhereSoleOrg,
} from '../rules/index.js';
import { addGroupMembersIn, removeGroupMembersIn } from '../scim/index.js';
import type { Services } from '../services.js';
import type { SsoAttempt } from './attempts.js';
import { loadConnection } from './connection-view.js';
import { planSsoSignIn, profileOf, type SsoPlan, type SsoProfile } from './plan.js';

/** How long the adopter has to exchange the code: 2 minutes. */
export const SSO_CODE_TTL_MS = 2 * 60 * 1000;

/** Where to send the browser: the adopter's redirect_uri with `code` and `state`. */
export interface SsoSignedIn {
  readonly redirectUri: string;
  readonly code: string;
  readonly clientState: string | null;
  readonly userId: string;
}

/** A refused sign-in (FORBIDDEN, `details.reason` one of `SsoRefusal`). */
function refused(plan: SsoPlan): DomainError {
  return new DomainError('FORBIDDEN', `SSO sign-in refused: ${plan.refused?.message}`, {
    details: { reason: plan.refused?.reason },
  });
}

/** The caller a connection's provisioning writes as. */
export const connectionCaller = (
  a: { provider: { orgId: string; connectionId: string } },
  requestId?: string,
): Caller => ({
  principal: { kind: 'sso', orgId: a.provider.orgId, connectionId: a.provider.connectionId },
  source: 'sso',
  requestId,
});

/**
 * Provisions the person the claims describe (see the module comment) and returns the one-time
 * code. FORBIDDEN when refused (deactivated member, unverified email of an existing user, no
 * email); the write is then rolled back whole.
 */
export async function completeSsoSignIn(
  s: Services,
  input: { attempt: SsoAttempt; claims: Record<string, unknown>; requestId?: string | undefined },
): Promise<SsoSignedIn> {
  const { attempt } = input;
  if (attempt.mode !== 'sign_in')
    throw new DomainError('INVALID', 'a test attempt signs nobody in');
  const profile = profileOf(input.claims, attempt.provider.claims);
  const { result } = await orgWrite(
    {
      services: s,
      caller: connectionCaller(attempt, input.requestId),
      orgId: attempt.provider.orgId,
    },
    async (w) => {
      const conn = await loadConnection(w.trx, w.orgId, attempt.provider.connectionId);
      if (!conn.enabled)
        throw new DomainError('FORBIDDEN', `SSO connection ${conn.id} is disabled`);
      const plan = await planSsoSignIn(w.trx, conn, profile);
      if (plan.refused) throw refused(plan);
      const userId = await provisionUser(w, plan, profile);
      if (plan.membership === 'join' && plan.defaultRole) {
        await grantDefaultRole(w, userId, plan.defaultRole);
      }
      await w.trx
        .insertInto('sso_identities')
        .values({
          org_id: w.orgId,
          connection_id: conn.id,
          subject: profile.subject,
          user_id: userId,
          last_login_at: new Date(),
        })
        .onConflict((oc) =>
          oc
            .columns(['org_id', 'connection_id', 'subject'])
            .doUpdateSet({ last_login_at: new Date() }),
        )
        .execute();
      for (const g of plan.groups.add) await addGroupMembersIn(w, g.groupId, [userId]);
      for (const g of plan.groups.remove) await removeGroupMembersIn(w, g.groupId, [userId]);
      w.audit({
        action: 'SsoSignedIn',
        entityType: 'member',
        entityId: userId,
        scopeId: w.orgId,
        after: {
          connectionId: conn.id,
          subject: profile.subject,
          user: plan.user.action,
          joined: plan.membership === 'join',
          groupsAdded: plan.groups.add.map((g) => g.groupId),
          groupsRemoved: plan.groups.remove.map((g) => g.groupId),
        },
      });
      w.emit('sso.signed_in', {
        userId,
        connectionId: conn.id,
        joined: plan.membership === 'join',
      });
      const id = newId('ssoCode');
      const { secret, hash } = issueCredential(id);
      const now = s.options?.now?.() ?? new Date();
      await w.trx
        .insertInto('sso_codes')
        .values({
          org_id: w.orgId,
          id,
          code_hash: hash,
          connection_id: conn.id,
          user_id: userId,
          profile: JSON.stringify(profile),
          created_at: now,
          expires_at: new Date(now.getTime() + SSO_CODE_TTL_MS),
          used_at: null,
        })
        .execute();
      return { code: secret, userId };
    },
  );
  return {
    redirectUri: attempt.redirectUri,
    code: result.code,
    clientState: attempt.clientState,
    userId: result.userId,
  };
}

/** The user of the plan: the known one (profile kept up to date), linked, or created. */
async function provisionUser(
  w: Parameters<Parameters<typeof orgWrite>[1]>[0],
  plan: SsoPlan,
  profile: SsoProfile,
): Promise<string> {
  const email = profile.email!;
  if (plan.user.action === 'existing' && plan.user.userId) {
    const userId = plan.user.userId;
    await updateProfileWhereSoleOrg(w, userId, { email, name: profile.name });
    const row = await w.trx
      .selectFrom('users')
      .select(['id', 'email'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    await joinOrg(w, row);
    return userId;
  }
  const user = await ensureMember(w, email, profile.name);
  if (!user.createdUser) {
    await updateProfileWhereSoleOrg(w, user.id, { email, name: profile.name });
  }
  return user.id;
}

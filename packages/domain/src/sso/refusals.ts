/**
 * Refused SSO sign-ins are audited: each answer from an IdP that Gatehouse refused (a bad
 * signature, a wrong audience, a replay, a deactivated member, …) writes `SignInRefused` on the
 * connection's org with the reason, never the assertion, token or any secret. At most
 * `SSO_REFUSALS_AUDITED_PER_MINUTE` per connection per minute are written, so a flood of forged
 * answers cannot flood the audit log; the next entry written says how many were left out
 * (`unrecordedBefore`). The count is kept per connection in `sso_refusal_windows` (migration
 * 0020), shared by every server process.
 */
import type { Caller } from '../context.js';
import { orgEventWrite } from '../org-write.js';
import { hashSecret } from '../rules/index.js';
import type { Services } from '../services.js';

/** Refused sign-ins audited per connection per minute; the rest are counted. */
export const SSO_REFUSALS_AUDITED_PER_MINUTE = 20;
const WINDOW_MS = 60_000;

/** A refused sign-in to record. */
export interface SsoRefusalInput {
  /** The connection the answer came through (from the ACS URL or the attempt). */
  readonly connectionId?: string | undefined;
  /** Or the state (SAML: RelayState) the answer named, when the attempt itself was refused. */
  readonly state?: string | undefined;
  /** Why, in words (shortened; long token-like strings are cut out). */
  readonly reason: string;
  /** A short code for the reason, when there is one (`deactivated`, `saml_refused`, …). */
  readonly code?: string | undefined;
  readonly requestId?: string | undefined;
}

/** What was done with a refusal. */
export type SsoRefusalOutcome = 'recorded' | 'unrecorded' | 'unknown_connection';

/** A reason as the audit log keeps it: one line, at most 300 characters, no token-like runs. */
export function refusalReason(reason: string): string {
  return (
    reason
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters go
      .replace(/[\x00-\x1f\x7f]+/g, ' ')
      .replace(/[A-Za-z0-9+/=_.-]{40,}/g, '[…]')
      .slice(0, 300)
  );
}

async function connectionOf(s: Services, input: SsoRefusalInput) {
  if (input.connectionId !== undefined) {
    if (!/^ssoc_[A-Za-z0-9_-]{1,100}$/.test(input.connectionId)) return undefined;
    const row = await s.db
      .selectFrom('sso_connections')
      .select(['org_id', 'id'])
      .where('id', '=', input.connectionId)
      .executeTakeFirst();
    return row && { orgId: row.org_id, connectionId: row.id };
  }
  if (!input.state || input.state.length > 2000) return undefined;
  const row = await s.db
    .selectFrom('sso_attempts')
    .select(['org_id', 'connection_id', 'mode'])
    .where('state_hash', '=', hashSecret(input.state))
    .executeTakeFirst();
  // A dry run (`sso.testConnection`) is not a sign-in: its report shows the refusal.
  if (row?.mode !== 'sign_in' || !row) return undefined;
  return { orgId: row.org_id, connectionId: row.connection_id };
}

/**
 * Records a refused sign-in on its connection's org (see the module comment). Answers that name
 * no known connection or attempt record nothing (`unknown_connection`): there is no org to
 * write on.
 *
 * @example
 * await recordSsoRefusal(services, { connectionId, reason: 'the assertion has expired', code: 'saml_refused' });
 */
export async function recordSsoRefusal(
  s: Services,
  input: SsoRefusalInput,
): Promise<SsoRefusalOutcome> {
  const conn = await connectionOf(s, input);
  if (!conn) return 'unknown_connection';
  const now = s.options?.now?.() ?? new Date();
  const slot = await s.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('sso_refusal_windows')
      .values({ org_id: conn.orgId, connection_id: conn.connectionId, window_start: now })
      .onConflict((oc) => oc.columns(['org_id', 'connection_id']).doNothing())
      .execute();
    const w = await trx
      .selectFrom('sso_refusal_windows')
      .selectAll()
      .where('org_id', '=', conn.orgId)
      .where('connection_id', '=', conn.connectionId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const fresh = now.getTime() - new Date(w.window_start).getTime() >= WINDOW_MS;
    const recorded = fresh ? 0 : w.recorded;
    const at = trx
      .updateTable('sso_refusal_windows')
      .where('org_id', '=', conn.orgId)
      .where('connection_id', '=', conn.connectionId);
    if (recorded >= SSO_REFUSALS_AUDITED_PER_MINUTE) {
      await at.set({ unrecorded: w.unrecorded + 1 }).execute();
      return null;
    }
    await at
      .set({ window_start: fresh ? now : w.window_start, recorded: recorded + 1, unrecorded: 0 })
      .execute();
    return { unrecordedBefore: w.unrecorded };
  });
  if (!slot) return 'unrecorded';
  const caller: Caller = {
    principal: { kind: 'sso', orgId: conn.orgId, connectionId: conn.connectionId },
    source: 'sso',
    requestId: input.requestId,
  };
  await orgEventWrite({ services: s, caller, orgId: conn.orgId }, async (w) => {
    w.audit({
      action: 'SignInRefused',
      entityType: 'sso_connection',
      entityId: conn.connectionId,
      scopeId: w.orgId,
      after: {
        connectionId: conn.connectionId,
        reason: refusalReason(input.reason),
        ...(input.code ? { code: input.code.slice(0, 100) } : {}),
        unrecordedBefore: slot.unrecordedBefore,
      },
    });
  });
  return 'recorded';
}

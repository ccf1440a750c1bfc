/**
 * I3 I4: an org's policies for the people of its verified domains, one row per org
 * (`org_domain_policies`; no row means both off): `requireSso` refuses them password sign-in and
 * invitation acceptance (./sign-in.ts), `autoJoin` lets them join with the default role by
 * signing in with their password (./auto-join.ts); off, they join only by invitation. SSO
 * sign-ins provision just in time whatever `autoJoin` says: that is the connection's setting.
 */
import type { OrgCall } from '../call.js';
import { authorizeRead } from '../org-read.js';
import { orgEventWrite, type WriteResult } from '../org-write.js';
import { authorizeDomainAdmin, domainClock } from './rows.js';

/** An org's domain policies. */
export interface DomainPolicy {
  readonly orgId: string;
  /** People of the org's verified domains must sign in with SSO (I4). */
  readonly requireSso: boolean;
  /** People of the org's verified domains join with the default role by signing in (I3). */
  readonly autoJoin: boolean;
  /** Null while never set. */
  readonly updatedAt: string | null;
}

type Reader = Pick<OrgCall['services']['db'], 'selectFrom'>;

/** The stored policy of `orgId` (both off when never set). */
export async function readDomainPolicy(db: Reader, orgId: string): Promise<DomainPolicy> {
  const row = await db
    .selectFrom('org_domain_policies')
    .selectAll()
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return {
    orgId,
    requireSso: row?.require_sso ?? false,
    autoJoin: row?.auto_join ?? false,
    updatedAt: row ? new Date(row.updated_at).toISOString() : null,
  };
}

/** I3 I4: the org's domain policies (`domains.read` at the root). */
export async function getDomainPolicy(call: OrgCall): Promise<DomainPolicy> {
  await authorizeRead(call, 'domains.read', call.orgId);
  return readDomainPolicy(call.services.db, call.orgId);
}

/**
 * I3 I4: sets either policy or both (`domains.manage` at the root); a field left out keeps its
 * value. Audited, with a `domain_policy.updated` event. They apply only to verified domains.
 *
 * @example
 * await setDomainPolicy(call, { requireSso: true, autoJoin: true });
 */
export async function setDomainPolicy(
  call: OrgCall,
  input: { readonly requireSso?: boolean | undefined; readonly autoJoin?: boolean | undefined },
): Promise<WriteResult<DomainPolicy>> {
  return orgEventWrite(call, async (w) => {
    authorizeDomainAdmin(w);
    const before = await readDomainPolicy(w.trx, w.orgId);
    const requireSso = input.requireSso ?? before.requireSso;
    const autoJoin = input.autoJoin ?? before.autoJoin;
    const now = domainClock(call.services);
    await w.trx
      .insertInto('org_domain_policies')
      .values({ org_id: w.orgId, require_sso: requireSso, auto_join: autoJoin, updated_at: now })
      .onConflict((oc) =>
        oc
          .column('org_id')
          .doUpdateSet({ require_sso: requireSso, auto_join: autoJoin, updated_at: now }),
      )
      .execute();
    const after = { requireSso, autoJoin };
    w.audit({
      action: 'Updated',
      entityType: 'domain_policy',
      entityId: w.orgId,
      scopeId: w.orgId,
      before: { requireSso: before.requireSso, autoJoin: before.autoJoin },
      after,
    });
    w.emit('domain_policy.updated', after);
    return { orgId: w.orgId, ...after, updatedAt: now.toISOString() };
  });
}

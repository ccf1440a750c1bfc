/** I3: an org claims a domain; it is verified later by a DNS TXT record. */
import { randomBytes } from 'node:crypto';
import { newId, type OrgDomainRow } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { conflict, invalid, isUniqueViolation } from '../errors.js';
import { orgEventWrite, type WriteResult } from '../org-write.js';
import { normalizeDomain } from './hostname.js';
import { authorizeDomainAdmin, type DomainView, domainClock, domainView } from './rows.js';

/** Most domains one org may claim. */
export const MAX_DOMAINS_PER_ORG = 100;

/** A claimed domain, with the record to create (also in `domain.record`). */
export interface ClaimedDomain {
  readonly domain: DomainView;
}

/**
 * I3: claims `domain` for the org (`domains.manage` at the root): stored lower-cased and pending,
 * with a random token the org publishes as a TXT record (`domain.record`) before calling
 * `verifyDomain`. INVALID for anything not a host name (see `normalizeDomain`); CONFLICT when
 * this org already claimed it, or when another org has it verified (without saying which).
 * Does not move the org's revision: domains are not in the engine.
 *
 * @example
 * const { result } = await claimDomain(call, { domain: 'acme.com' });
 * // create TXT result.domain.record.name = result.domain.record.value, then verifyDomain
 */
export async function claimDomain(
  call: OrgCall,
  input: { readonly domain: string },
): Promise<WriteResult<ClaimedDomain>> {
  const domain = normalizeDomain(input.domain);
  try {
    const { result, revision } = await orgEventWrite(call, async (w) => {
      authorizeDomainAdmin(w);
      const taken = await w.trx
        .selectFrom('org_domains')
        .select(['org_id', 'id', 'status'])
        .where('domain', '=', domain)
        .where((eb) => eb.or([eb('org_id', '=', w.orgId), eb('status', '=', 'verified')]))
        .execute();
      const own = taken.find((t) => t.org_id === w.orgId);
      if (own) throw alreadyClaimed(domain, own.id);
      if (taken.length > 0) throw verifiedElsewhere(domain);
      const count = await w.trx
        .selectFrom('org_domains')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('org_id', '=', w.orgId)
        .executeTakeFirstOrThrow();
      if (Number(count.n) >= MAX_DOMAINS_PER_ORG) {
        throw invalid(`an organization claims at most ${MAX_DOMAINS_PER_ORG} domains`);
      }
      const row: OrgDomainRow = await w.trx
        .insertInto('org_domains')
        .values({
          org_id: w.orgId,
          id: newId('domain'),
          domain,
          status: 'pending',
          verification_token: randomBytes(24).toString('base64url'),
          created_at: domainClock(call.services),
          verified_at: null,
          last_checked_at: null,
          last_error: null,
          next_check_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      w.audit({
        action: 'Created',
        entityType: 'domain',
        entityId: row.id,
        scopeId: w.orgId,
        after: { domain, status: 'pending' },
      });
      w.emit('domain.claimed', { domainId: row.id, domain });
      return { domain: domainView(row) };
    });
    return { result, revision };
  } catch (e) {
    // Two claims of the same domain by this org at the same moment: one wins.
    if (isUniqueViolation(e)) throw alreadyClaimed(domain);
    throw e;
  }
}

const alreadyClaimed = (domain: string, id?: string) =>
  conflict(`${domain} is already claimed by this organization${id ? ` (${id})` : ''}`, {
    ...(id ? { domainId: id } : {}),
  });

/** CONFLICT for a domain another org verified; it never says which org. */
export const verifiedElsewhere = (domain: string) =>
  conflict(
    `${domain} is verified by another organization; a domain is verified by one organization at a time`,
  );

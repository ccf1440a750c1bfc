/** I3: verify a claimed domain by its DNS TXT record. */
import type { OrgCall } from '../call.js';
import { isUniqueViolation } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import { orgEventWrite, type WriteResult } from '../org-write.js';
import { verifiedElsewhere } from './claim.js';
import { type CheckFailure, checkChallenge, resolverOf } from './dns.js';
import { recordCheck } from './record-check.js';
import { authorizeDomainAdmin, type DomainView, domainView, loadDomain } from './rows.js';

/** What a verification attempt found. */
export interface DomainVerification {
  readonly domain: DomainView;
  /** True when the TXT record was there: the domain is verified now. */
  readonly verified: boolean;
  /** Why not, when not verified. */
  readonly reason: CheckFailure | null;
  /** The same, in words (also `domain.lastError`). */
  readonly error: string | null;
}

/**
 * I3: looks up the TXT records at `_gatehouse-challenge.<domain>` (`domains.manage` at the root)
 * and records what it found: with `gatehouse-verification=<token>` among them the domain is
 * verified (and re-checked every `domainRecheckIntervalMs`); otherwise the error is recorded
 * (NXDOMAIN, no matching record, timeout) and returned, not thrown. Verifying a verified domain
 * re-checks it now (a failure counts as a failed re-check). CONFLICT, changing nothing, when
 * another org has verified the domain meanwhile. The lookup runs before the write's
 * transaction, so a slow DNS server never holds the org's lock.
 *
 * @example
 * const { result } = await verifyDomain(call, { domainId });
 * if (!result.verified) console.log(result.error);
 */
export async function verifyDomain(
  call: OrgCall,
  input: { readonly domainId: string },
): Promise<WriteResult<DomainVerification>> {
  const { services: s, orgId } = call;
  // Authorized before any DNS traffic: nobody else makes the server query DNS.
  await authorizeRead(call, 'domains.manage', orgId);
  const before = await loadDomain(s.db, orgId, input.domainId);
  const outcome = await checkChallenge(resolverOf(s), before.domain, before.verification_token);
  try {
    const { result, revision } = await orgEventWrite(call, async (w) => {
      authorizeDomainAdmin(w);
      const row = await loadDomain(w.trx, orgId, input.domainId);
      const updated = await recordCheck(s, w, row, outcome);
      return {
        domain: domainView(updated),
        verified: outcome.ok,
        reason: outcome.ok ? null : outcome.reason,
        error: outcome.ok ? null : outcome.error,
      };
    });
    return { result, revision };
  } catch (e) {
    // Another org verified the same domain in the same moment: the unique index decides.
    if (isUniqueViolation(e)) throw verifiedElsewhere(before.domain);
    throw e;
  }
}

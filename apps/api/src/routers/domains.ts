/**
 * Verified domains (I3, I4; issue 13 "Domains"): claim a domain, verify it by its DNS TXT record,
 * list and delete; the org's policies for the people of its verified domains. `domains.manage`
 * at the org root for writes, `domains.read` for reads. `verify` answers `verified: false` with
 * the reason (NXDOMAIN, no matching record, timeout) rather than an error: the attempt is
 * recorded.
 */
import {
  claimDomain,
  DOMAIN_MAX,
  deleteDomain,
  getDomainPolicy,
  listDomains,
  setDomainPolicy,
  verifyDomain,
} from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { idOf, text } from '../schemas.js';
import { orgProcedure } from '../trpc.js';

const domainId = idOf('dom');

/** The `domains` procedures. */
export const domainsRouter = {
  claim: orgProcedure
    // Room for a final dot and surrounding spaces; the domain use case says what is wrong.
    .input(z.object({ domain: text({ min: 1, max: DOMAIN_MAX + 8 }) }))
    .mutation(({ ctx, input }) => claimDomain(ctx.call, input)),
  list: orgProcedure.query(({ ctx }) => listDomains(ctx.call)),
  verify: orgProcedure
    .input(z.object({ domainId }))
    .mutation(({ ctx, input }) => verifyDomain(ctx.call, input)),
  delete: orgProcedure
    .input(z.object({ domainId }))
    .mutation(({ ctx, input }) => deleteDomain(ctx.call, input)),
  policy: orgProcedure.query(({ ctx }) => getDomainPolicy(ctx.call)),
  setPolicy: orgProcedure
    .input(z.object({ requireSso: z.boolean().optional(), autoJoin: z.boolean().optional() }))
    .mutation(({ ctx, input }) => setDomainPolicy(ctx.call, input)),
} satisfies TRPCRouterRecord;

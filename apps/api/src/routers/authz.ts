/** Permission checks (C1–C7): every answer carries the revision it was computed at. */
import { authz } from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import {
  anyId,
  checkRequest,
  cursor,
  environment,
  minRevision,
  orgId,
  permission,
} from '../schemas.js';
import { authedProcedure } from '../trpc.js';

const pageLimit = z.number().int().min(1).max(10_000).optional();

export const authzRouter = {
  check: authedProcedure
    .input(checkRequest.extend({ orgId, minRevision }))
    .query(({ ctx, input: { orgId: id, minRevision: min, ...req } }) =>
      authz.check(ctx.services, ctx.caller, id, req, min),
    ),
  checkMany: authedProcedure
    .input(z.object({ orgId, minRevision, checks: z.array(checkRequest).min(1).max(10_000) }))
    .query(({ ctx, input }) =>
      authz.checkMany(ctx.services, ctx.caller, input.orgId, input.checks, input.minRevision),
    ),
  explain: authedProcedure
    .input(checkRequest.extend({ orgId, minRevision }))
    .query(({ ctx, input: { orgId: id, minRevision: min, ...req } }) =>
      authz.explain(ctx.services, ctx.caller, id, req, min),
    ),
  effectivePermissions: authedProcedure
    .input(
      z.object({
        orgId,
        minRevision,
        subject: anyId,
        scope: anyId,
        environment: environment.optional(),
      }),
    )
    .query(({ ctx, input: { orgId: id, minRevision: min, ...q } }) =>
      authz.effectivePermissions(ctx.services, ctx.caller, id, q, min),
    ),
  listScopes: authedProcedure
    .input(
      z.object({
        orgId,
        minRevision,
        subject: anyId,
        permission,
        environment: environment.optional(),
        cursor,
        limit: pageLimit,
      }),
    )
    .query(({ ctx, input: { orgId: id, minRevision: min, ...q } }) =>
      authz.listScopesFor(ctx.services, ctx.caller, id, q, min),
    ),
  listSubjects: authedProcedure
    .input(
      z.object({
        orgId,
        minRevision,
        scope: anyId,
        permission,
        environment: environment.optional(),
        type: z.enum(['user', 'group', 'client']).optional(),
        cursor,
        limit: pageLimit,
      }),
    )
    .query(({ ctx, input: { orgId: id, minRevision: min, ...q } }) =>
      authz.listSubjectsFor(ctx.services, ctx.caller, id, q, min),
    ),
  snapshot: authedProcedure
    .input(z.object({ orgId, minRevision }))
    .query(({ ctx, input }) =>
      authz.snapshot(ctx.services, ctx.caller, input.orgId, input.minRevision),
    ),
} satisfies TRPCRouterRecord;

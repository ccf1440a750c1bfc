/** Permission checks (C1–C7): every answer carries the revision it was computed at. */
import { authz } from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { anyId, checkRequest, cursor, environment, minRevision, permission } from '../schemas.js';
import { orgProcedure } from '../trpc.js';

const pageLimit = z.number().int().min(1).max(10_000).optional();

export const authzRouter = {
  check: orgProcedure
    .input(checkRequest.extend({ minRevision }))
    .query(({ ctx, input: { minRevision: min, ...req } }) => authz.check(ctx.call, req, min)),
  checkMany: orgProcedure
    .input(z.object({ minRevision, checks: z.array(checkRequest).min(1).max(10_000) }))
    .query(({ ctx, input }) => authz.checkMany(ctx.call, input.checks, input.minRevision)),
  explain: orgProcedure
    .input(checkRequest.extend({ minRevision }))
    .query(({ ctx, input: { minRevision: min, ...req } }) => authz.explain(ctx.call, req, min)),
  effectivePermissions: orgProcedure
    .input(
      z.object({
        minRevision,
        subject: anyId,
        scope: anyId,
        environment: environment.optional(),
      }),
    )
    .query(({ ctx, input: { minRevision: min, ...q } }) =>
      authz.effectivePermissions(ctx.call, q, min),
    ),
  listScopes: orgProcedure
    .input(
      z.object({
        minRevision,
        subject: anyId,
        permission,
        environment: environment.optional(),
        cursor,
        limit: pageLimit,
      }),
    )
    .query(({ ctx, input: { minRevision: min, ...q } }) => authz.listScopesFor(ctx.call, q, min)),
  listSubjects: orgProcedure
    .input(
      z.object({
        minRevision,
        scope: anyId,
        permission,
        environment: environment.optional(),
        type: z.enum(['user', 'group', 'client']).optional(),
        cursor,
        limit: pageLimit,
      }),
    )
    .query(({ ctx, input: { minRevision: min, ...q } }) => authz.listSubjectsFor(ctx.call, q, min)),
  snapshot: orgProcedure
    .input(z.object({ minRevision }))
    .query(({ ctx, input }) => authz.snapshot(ctx.call, input)),
} satisfies TRPCRouterRecord;

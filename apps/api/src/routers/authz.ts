/**
 * Permission checks (C1–C7): every answer carries the revision it was computed at. The reads
 * themselves (input and use case) are the table in authz-reads.ts, shared with the direct read
 * route.
 */
import type { TRPCRouterRecord } from '@trpc/server';
import { authzReads as r } from '../authz-reads.js';
import { orgProcedure } from '../trpc.js';

export const authzRouter = {
  check: orgProcedure.input(r.check.input).query(({ ctx, input }) => r.check.run(ctx.call, input)),
  checkMany: orgProcedure
    .input(r.checkMany.input)
    .query(({ ctx, input }) => r.checkMany.run(ctx.call, input)),
  canMany: orgProcedure
    .input(r.canMany.input)
    .query(({ ctx, input }) => r.canMany.run(ctx.call, input)),
  explain: orgProcedure
    .input(r.explain.input)
    .query(({ ctx, input }) => r.explain.run(ctx.call, input)),
  effectivePermissions: orgProcedure
    .input(r.effectivePermissions.input)
    .query(({ ctx, input }) => r.effectivePermissions.run(ctx.call, input)),
  listScopes: orgProcedure
    .input(r.listScopes.input)
    .query(({ ctx, input }) => r.listScopes.run(ctx.call, input)),
  listSubjects: orgProcedure
    .input(r.listSubjects.input)
    .query(({ ctx, input }) => r.listSubjects.run(ctx.call, input)),
  snapshot: orgProcedure
    .input(r.snapshot.input)
    .query(({ ctx, input }) => r.snapshot.run(ctx.call, input)),
} satisfies TRPCRouterRecord;

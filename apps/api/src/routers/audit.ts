/** The audit log (A1, A2 basic filters). */
import { listAudit } from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { anyId, limit, orgId } from '../schemas.js';
import { authedProcedure } from '../trpc.js';

export const auditRouter = {
  list: authedProcedure
    .input(
      z.object({
        orgId,
        actorId: anyId.optional(),
        action: z.string().max(100).optional(),
        entityType: z.string().max(100).optional(),
        entityId: anyId.optional(),
        scopeId: anyId.optional(),
        from: z.iso.datetime({ offset: true }).optional(),
        to: z.iso.datetime({ offset: true }).optional(),
        cursor: z.string().regex(/^\d+$/).nullish(),
        limit,
      }),
    )
    .query(({ ctx, input: { orgId: id, from, to, cursor, ...rest } }) =>
      listAudit(ctx.services, ctx.caller, id, {
        ...rest,
        from: from ? new Date(from) : undefined,
        to: to ? new Date(to) : undefined,
        cursor: cursor ?? undefined,
      }),
    ),
} satisfies TRPCRouterRecord;

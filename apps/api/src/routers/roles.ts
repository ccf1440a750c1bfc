/** Roles (R3): built-in and custom. */
import { createRole, deleteRole, listRoles, updateRole } from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { orgId, text } from '../schemas.js';
import { authedProcedure } from '../trpc.js';

const roleInput = z.object({
  name: text({ min: 1, max: 200 }),
  description: text({ max: 2000 }).nullish(),
  permissions: z
    .array(text({ min: 1, max: 200 }))
    .min(1)
    .max(500),
  slot: text({ min: 1, max: 100 }).nullish(),
  scopeKinds: z
    .array(text({ min: 1, max: 100 }))
    .max(20)
    .nullish(),
});

export const rolesRouter = {
  list: authedProcedure
    .input(z.object({ orgId }))
    .query(({ ctx, input }) => listRoles(ctx.services, ctx.caller, input.orgId)),
  create: authedProcedure
    .input(roleInput.extend({ orgId, key: text({ max: 63 }).optional() }))
    .mutation(({ ctx, input: { orgId: id, ...rest } }) =>
      createRole(ctx.services, ctx.caller, id, rest),
    ),
  update: authedProcedure
    .input(roleInput.extend({ orgId, key: text({ min: 1, max: 63 }) }))
    .mutation(({ ctx, input: { orgId: id, ...rest } }) =>
      updateRole(ctx.services, ctx.caller, id, rest),
    ),
  delete: authedProcedure
    .input(z.object({ orgId, key: text({ min: 1, max: 63 }) }))
    .mutation(({ ctx, input }) => deleteRole(ctx.services, ctx.caller, input.orgId, input.key)),
} satisfies TRPCRouterRecord;

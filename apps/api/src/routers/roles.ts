/** Roles (R3): built-in and custom. */
import { createRole, deleteRole, listRoles, updateRole } from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { text } from '../schemas.js';
import { orgProcedure } from '../trpc.js';

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
  list: orgProcedure.query(({ ctx }) => listRoles(ctx.call)),
  create: orgProcedure
    .input(roleInput.extend({ key: text({ max: 63 }).optional() }))
    .mutation(({ ctx, input }) => createRole(ctx.call, input)),
  update: orgProcedure
    .input(roleInput.extend({ key: text({ min: 1, max: 63 }) }))
    .mutation(({ ctx, input }) => updateRole(ctx.call, input)),
  delete: orgProcedure
    .input(z.object({ key: text({ min: 1, max: 63 }) }))
    .mutation(({ ctx, input }) => deleteRole(ctx.call, input)),
} satisfies TRPCRouterRecord;

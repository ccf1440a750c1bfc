/** Presets applied at run time, stored versioned (issue 12, R1): instance admin only. */
import { applyPreset, diffPreset, listPresets, showPreset } from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { jsonValue, text } from '../schemas.js';
import { authedProcedure } from '../trpc.js';

/** A preset document as JSON (validated with paths by the domain). */
const document = jsonValue({ maxDepth: 8, maxBytes: 512 * 1024 });

export const presetsRouter = {
  /** Built-in, in-memory and stored presets, with their newest version and org counts. */
  list: authedProcedure.query(({ ctx }) => listPresets(ctx.call)),
  /** A preset's document, newest or a given stored version, and its versions. */
  show: authedProcedure
    .input(
      z.object({
        key: text({ min: 1, max: 100 }),
        version: z.number().int().min(1).max(2_000_000_000).optional(),
      }),
    )
    .query(({ ctx, input }) => showPreset(ctx.call, input)),
  /** What applying the document would change in every org, and what would refuse it. */
  diff: authedProcedure
    .input(z.object({ document }))
    .query(({ ctx, input }) => diffPreset(ctx.call, { document: input.document })),
  /** Stores the document as the next version and moves every org of its key onto it. */
  // Not `apply`: tRPC reserves the names of Function.prototype members.
  applyVersion: authedProcedure
    .input(z.object({ document }))
    .mutation(({ ctx, input }) => applyPreset(ctx.call, { document: input.document })),
} satisfies TRPCRouterRecord;

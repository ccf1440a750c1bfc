/**
 * The audit log (A1–A4): filtered pages, product events, chain verification and retention.
 * The streamed CSV / NDJSON export is a plain HTTP route, `GET /audit/export` (audit-export.ts).
 */
import { listAudit, pruneAudit, recordAuditEvent, verifyAuditChain } from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { anyId, jsonValue, limit, text } from '../schemas.js';
import { orgProcedure } from '../trpc.js';

/**
 * An ISO 8601 instant with an offset, in years 1–9999 UTC: PostgreSQL has no year 0, and one
 * used to fail the export's query after its headers were sent (a reset connection).
 */
const instant = z.iso
  .datetime({ offset: true })
  .refine((s) => new Date(s).getUTCFullYear() >= 1, 'must be in the years 1 to 9999');

/** The filters shared by `audit.list` and the export route (A2). */
export const auditFilters = {
  /** Part of an actor's email or API client name, or an exact actor id. */
  actor: text({ min: 1, max: 320 }).optional(),
  actorId: anyId.optional(),
  action: text({ max: 200 }).optional(),
  entityType: text({ max: 200 }).optional(),
  entityId: text({ min: 1, max: 200 }).optional(),
  scopeId: anyId.optional(),
  from: instant.optional(),
  to: instant.optional(),
};

/** ISO strings to dates. */
export function auditQuery<T extends { from?: string | undefined; to?: string | undefined }>(
  input: T,
): Omit<T, 'from' | 'to'> & { from: Date | undefined; to: Date | undefined } {
  const { from, to, ...rest } = input;
  return {
    ...rest,
    from: from ? new Date(from) : undefined,
    to: to ? new Date(to) : undefined,
  };
}

const json = jsonValue().optional();

export const auditRouter = {
  /** A1/A2: entries matching the filters, newest first; `cursor` is the previous `nextCursor`. */
  list: orgProcedure
    .input(
      z.object({
        ...auditFilters,
        cursor: z
          .string()
          .regex(/^\d{1,15}$/)
          .nullish(),
        limit,
      }),
    )
    .query(({ ctx, input: { cursor, ...rest } }) =>
      listAudit(ctx.call, {
        ...auditQuery(rest),
        cursor: cursor ?? undefined,
      }),
    ),
  /** A3: the integrating product records its own event (`audit.write` at the scope). */
  record: orgProcedure
    .input(
      z.object({
        action: text({ min: 1, max: 200 }),
        entityType: text({ min: 1, max: 200 }),
        entityId: text({ min: 1, max: 200 }),
        scopeId: anyId.optional(),
        before: json,
        after: json,
      }),
    )
    .mutation(({ ctx, input }) => recordAuditEvent(ctx.call, input)),
  /** A4: recomputes the chain (from the signed retention checkpoint) and names the first break. */
  verify: orgProcedure.query(({ ctx }) => verifyAuditChain(ctx.call)),
  /** A4: deletes entries older than the org setting `auditRetentionDays`, leaving a checkpoint. */
  prune: orgProcedure.mutation(({ ctx }) => pruneAudit(ctx.call)),
} satisfies TRPCRouterRecord;

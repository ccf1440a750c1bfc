/** A4: the audit log of an org as a stream, for export. */
import type { Caller } from '../context.js';
import type { Services } from '../services.js';
import { type AuditQuery, prepareQuery } from './list.js';
import { type AuditEntryView, auditView } from './view.js';

/**
 * A2 export: authorizes now, then yields every matching entry oldest first, reading
 * `batchSize` rows at a time by keyset on `seq`, so an export of millions of entries holds one
 * batch in memory. Stopping the iteration (`break`, `return()`) stops reading.
 *
 * @example
 * for await (const e of await openAuditExport(s, caller, orgId, { entityType: 'member' })) write(e);
 */
export async function openAuditExport(
  s: Services,
  caller: Caller,
  orgId: string,
  f: AuditQuery = {},
  options: { batchSize?: number } = {},
): Promise<AsyncIterable<AuditEntryView>> {
  const filter = await prepareQuery(s, caller, orgId, f);
  const batchSize = options.batchSize ?? 2000;
  return {
    async *[Symbol.asyncIterator]() {
      let after = 0;
      for (;;) {
        const rows = await filter(s.db.selectFrom('audit_log').selectAll())
          .where('seq', '>', after)
          .orderBy('seq', 'asc')
          .limit(batchSize)
          .execute();
        for (const r of rows) yield auditView(r);
        if (rows.length < batchSize) return;
        after = Number(rows[rows.length - 1]!.seq);
      }
    },
  };
}

/** A4: the audit log of an org as a stream, for export. */
import type { OrgCall } from '../call.js';
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
  call: OrgCall,
  f: AuditQuery = {},
  options: { batchSize?: number } = {},
): Promise<AsyncIterable<AuditEntryView>> {
  const { services: s } = call;
  const filter = await prepareQuery(call, f);
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

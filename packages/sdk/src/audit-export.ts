/**
 * The streamed audit export (A2), `GET /audit/export`: the raw CSV / NDJSON response, or the
 * NDJSON parsed entry by entry without holding the export in memory.
 */
import type { AppRouter } from '@gatehouse/api';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';

/** Filters of an export: those of `audit.list`, without paging, plus the format. */
export type AuditExportQuery = Omit<
  inferRouterInputs<AppRouter>['audit']['list'],
  'cursor' | 'limit'
> & { readonly format?: 'csv' | 'ndjson' };

/** One exported entry (the same shape as an `audit.list` item). */
export type AuditExportEntry = inferRouterOutputs<AppRouter>['audit']['list']['items'][number];

/** What the export helpers need from the client's options. */
export interface ExportTarget {
  readonly url: string;
  readonly apiKey?: string | undefined;
  readonly onBehalfOf?: string | undefined;
  readonly fetch?: typeof fetch;
}

/** Starts an export; throws with the server's message unless it answers 200. */
export async function fetchAuditExport(t: ExportTarget, q: AuditExportQuery): Promise<Response> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q))
    if (v !== undefined && v !== null) params.set(k, String(v));
  const res = await (t.fetch ?? fetch)(
    `${t.url.replace(/\/+$/, '')}/audit/export?${params.toString()}`,
    {
      headers: {
        ...(t.apiKey ? { authorization: `Bearer ${t.apiKey}` } : {}),
        ...(t.onBehalfOf ? { 'x-gatehouse-on-behalf-of': t.onBehalfOf } : {}),
      },
    },
  );
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: string } | null;
    throw new Error(`audit export failed (${res.status}): ${body?.error ?? res.statusText}`);
  }
  return res;
}

/** The NDJSON export, one parsed entry at a time. */
export async function* auditEntries(
  t: ExportTarget,
  q: Omit<AuditExportQuery, 'format'>,
): AsyncGenerator<AuditExportEntry> {
  const res = await fetchAuditExport(t, { ...q, format: 'ndjson' });
  if (!res.body) return;
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    rest += decoder.decode(chunk, { stream: true });
    let nl = rest.indexOf('\n');
    while (nl >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (line) yield JSON.parse(line) as AuditExportEntry;
      nl = rest.indexOf('\n');
    }
  }
  rest += decoder.decode();
  if (rest.trim()) yield JSON.parse(rest) as AuditExportEntry;
}

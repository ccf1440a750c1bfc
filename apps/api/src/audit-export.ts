/**
 * `GET /audit/export?orgId=…&format=csv|ndjson[&actor=…&action=…&entityType=…&scopeId=…&from=…&to=…]`
 * (A2): the org's audit entries, oldest first, streamed. Rows are read in keyset batches and
 * written as they come, waiting for the socket to drain, so memory stays flat however long the
 * log is. Same bearer auth as `/trpc`; needs `audit.read`.
 *
 * CSV follows RFC 4180: every field that holds a comma, quote, CR or LF is quoted, quotes are
 * doubled, records end with CRLF; `before`/`after` are JSON text. Values are written as stored
 * (no spreadsheet-formula escaping, which would change them).
 */

import {
  type AuditEntryView,
  DomainError,
  openAuditExport,
  type Services,
} from '@gatehouse/domain';
import { type CredentialThrottle, internalErrorMessage, newErrorId } from '@gatehouse/edge';
import type { RequestHandler, Response } from 'express';
import { z } from 'zod';
import type { AuthOptions } from './auth.js';
import { authenticateAtEdge } from './edge-auth.js';
import { auditFilters, auditQuery } from './routers/audit.js';
import { orgId } from './schemas.js';

/** The CSV columns, in order. */
export const AUDIT_CSV_COLUMNS = [
  'seq',
  'id',
  'at',
  'actor_id',
  'actor_label',
  'on_behalf_of',
  'action',
  'entity_type',
  'entity_id',
  'scope_id',
  'source',
  'request_id',
  'revision',
  'before',
  'after',
  'prev_hash',
  'hash',
] as const;

/** One CSV field (RFC 4180). */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One entry as a CSV record (with its CRLF). */
export function csvRecord(e: AuditEntryView): string {
  return `${[
    e.seq,
    e.id,
    e.at,
    e.actorId,
    e.actorLabel,
    e.onBehalfOf,
    e.action,
    e.entityType,
    e.entityId,
    e.scopeId,
    e.source,
    e.requestId,
    e.revision,
    e.before,
    e.after,
    e.prevHash,
    e.hash,
  ]
    .map(csvField)
    .join(',')}\r\n`;
}

const STATUS = {
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  UNAUTHENTICATED: 401,
  CONFLICT: 409,
  INVARIANT: 412,
  INVALID: 400,
  TOO_MANY_REQUESTS: 429,
} as const satisfies Record<DomainError['code'], number>;

const query = z.object({
  orgId,
  format: z.enum(['csv', 'ndjson']).default('ndjson'),
  ...auditFilters,
});

/** Write, and wait for the socket to drain when its buffer is full (backpressure). */
async function write(res: Response, chunk: string): Promise<void> {
  if (res.write(chunk)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * The export route. Mount it: `app.get('/audit/export', createAuditExportHandler({ services }))`.
 */
export function createAuditExportHandler(
  options: AuthOptions & {
    readonly services: Services;
    /** Logs an unexpected error under the opaque id its caller was given. */
    readonly onInternalError?: (error: unknown, id: string) => void;
    /** Counts failed credentials; none: nothing is throttled. */
    readonly throttle?: CredentialThrottle | undefined;
  },
): RequestHandler {
  const fail = (res: Response, status: number, message: string) => {
    res.status(status).json({ error: message });
  };
  const internal = (res: Response, e: unknown) => {
    const id = newErrorId();
    options.onInternalError?.(e, id);
    fail(res, 500, internalErrorMessage(id));
  };
  return async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    let auth: Awaited<ReturnType<typeof authenticateAtEdge>>;
    try {
      auth = await authenticateAtEdge(options, req);
    } catch (e) {
      return internal(res, e);
    }
    if (auth.refusal) {
      res.setHeader('retry-after', String(auth.refusal.retryAfterSeconds));
      return fail(res, 429, auth.refusal.message);
    }
    const { caller, error } = auth;
    if (!caller) {
      return fail(
        res,
        401,
        error ?? 'send "Authorization: Bearer <instance admin key or API client key>"',
      );
    }
    const parsed = query.safeParse(req.query);
    if (!parsed.success) {
      return fail(
        res,
        400,
        `invalid query: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    const { orgId: org, format, ...filters } = parsed.data;
    let entries: AsyncIterator<AuditEntryView>;
    let first: IteratorResult<AuditEntryView>;
    try {
      const all = await openAuditExport(
        { services: options.services, caller, orgId: org },
        auditQuery(filters),
      );
      // The first batch is read before the headers go, so a failing query is still a clean
      // error response, not a download cut short.
      entries = all[Symbol.asyncIterator]();
      first = await entries.next();
    } catch (e) {
      if (e instanceof DomainError) {
        const wait = Number(e.details?.retryAfterSeconds);
        if (e.code === 'TOO_MANY_REQUESTS' && wait > 0) res.setHeader('retry-after', String(wait));
        return fail(res, STATUS[e.code], e.message);
      }
      return internal(res, e);
    }
    res.status(200);
    res.setHeader(
      'content-type',
      format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    );
    res.setHeader('content-disposition', `attachment; filename="audit-${org}.${format}"`);
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    try {
      if (format === 'csv') await write(res, `${AUDIT_CSV_COLUMNS.join(',')}\r\n`);
      let buf = '';
      for (let next = first; !next.done; next = await entries.next()) {
        if (closed) break;
        const e = next.value;
        buf += format === 'csv' ? csvRecord(e) : `${JSON.stringify(e)}\n`;
        if (buf.length >= 64 * 1024) {
          await write(res, buf);
          buf = '';
        }
      }
      if (closed) await entries.return?.();
      else {
        if (buf) await write(res, buf);
        res.end();
      }
    } catch (e) {
      // Headers are gone: end the connection so the client sees an incomplete download.
      options.onInternalError?.(e, newErrorId());
      res.destroy(e instanceof Error ? e : new Error(String(e)));
    }
  };
}

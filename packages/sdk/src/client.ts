/**
 * `createGatehouse()`: the typed tRPC client for a Gatehouse server. Only the API's router
 * *type* is imported, so no server code reaches a client bundle.
 */
import type { AppRouter } from '@gatehouse/api';
import type { Environment } from '@gatehouse/core';
import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';
import {
  type AuditExportEntry,
  type AuditExportQuery,
  auditEntries,
  fetchAuditExport,
} from './audit-export.js';
import { LocalChecker } from './local.js';
import type { Permission, Register } from './names.js';

/** Connection options. */
export interface GatehouseOptions {
  /** Server base URL, e.g. `http://127.0.0.1:4000`. */
  readonly url: string;
  /**
   * The instance admin key or an org API client key. Leave it out for the public procedures
   * only (`invitations.accept`, `health`).
   */
  readonly apiKey?: string | undefined;
  /**
   * A user's session token from `api.sessions.login` (`ses_…`): calls are made as that user, in
   * the org they logged in to. Used when `apiKey` is not given.
   */
  readonly sessionToken?: string | undefined;
  /** Act for this user: both the key's client and the user must be allowed (audited as both). */
  readonly onBehalfOf?: string | undefined;
  /** Sent as `X-Request-Id` (recorded in the audit log). */
  readonly requestId?: () => string;
  /** A fetch implementation (defaults to the global one). */
  readonly fetch?: typeof fetch;
}

/** What `gh.can` asks: may `subject` do `permission` at `scope` in org `orgId`? */
export interface CanQuery<T = Register> {
  readonly orgId: string;
  readonly subject: string;
  /** A registered permission name (see `Register`), or any string when none are registered. */
  readonly permission: Permission<T>;
  readonly scope: string;
  /** Omitted: only grants that hold in both environments count. */
  readonly environment?: Environment | undefined;
  /** Answer at this org revision or later (read your own writes). */
  readonly minRevision?: number | undefined;
}

/**
 * The typed client plus helpers. `T` types permission names (see `Permission`): the names
 * registered by `gatehouse typegen` by default, or those `createGatehouse<T>` was given.
 */
export interface Gatehouse<T = Register> {
  /** Every API procedure, typed: `gh.api.authz.check.query({...})`. */
  readonly api: TRPCClient<AppRouter>;
  /** A client that acts for `userId` (header `X-Gatehouse-On-Behalf-Of`). */
  asUser(userId: string): Gatehouse<T>;
  /** A client for a user's session token, e.g. the `token` that `api.sessions.login` returned. */
  withSession(sessionToken: string): Gatehouse<T>;
  /**
   * C1: true when the server allows it (`api.authz.check`, answered by the server's engine).
   *
   * @example
   * if (!(await gh.can({ orgId, subject: userId, permission: 'flows.write', scope: wsId }))) return forbidden();
   */
  can(query: CanQuery<T>): Promise<boolean>;
  /**
   * C7: fetches the org snapshot and returns a local checker running the same engine as the
   * server, with no further round trips.
   */
  loadSnapshot(orgId: string, minRevision?: number): Promise<LocalChecker<T>>;
  /**
   * A2: the streamed audit export (`GET /audit/export`) as a fetch `Response`, e.g. to pipe
   * `response.body` into a file. Throws unless the server answers 200.
   */
  exportAudit(query: AuditExportQuery): Promise<Response>;
  /**
   * A2: every matching audit entry, oldest first, parsed from the NDJSON export as it streams.
   *
   * @example
   * for await (const e of gh.auditEntries({ orgId, entityType: 'member' })) console.log(e.seq, e.action);
   */
  auditEntries(query: Omit<AuditExportQuery, 'format'>): AsyncIterable<AuditExportEntry>;
}

/**
 * Connects to a Gatehouse server. Permission names are those registered with `Register`
 * (`gatehouse typegen`), or `T`'s: a typed preset (`createGatehouse<typeof docsApp>(…)`) or the
 * names (`createGatehouse<{ permission: 'docs.read' | 'docs.write' }>(…)`), for a program that
 * talks about more than one preset.
 *
 * @example
 * const gh = createGatehouse({ url: 'http://127.0.0.1:4000', apiKey: process.env.GATEHOUSE_KEY! });
 * const { result } = await gh.api.authz.check.query({ orgId, subject: userId, permission: 'flows.write', scope: wsId });
 * if (!result.allowed) throw new Error(result.reason);
 */
export function createGatehouse<T = Register>(options: GatehouseOptions): Gatehouse<T> {
  const bearer = options.apiKey ?? options.sessionToken;
  const api = createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${options.url.replace(/\/+$/, '')}/trpc`,
        // Large batch checks do not fit in a URL: send queries as POST.
        methodOverride: 'POST',
        maxItems: 50,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        headers() {
          return {
            ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
            ...(options.onBehalfOf ? { 'x-gatehouse-on-behalf-of': options.onBehalfOf } : {}),
            ...(options.requestId ? { 'x-request-id': options.requestId() } : {}),
          };
        },
      }),
    ],
  });
  return {
    api,
    asUser: (userId) => createGatehouse<T>({ ...options, onBehalfOf: userId }),
    withSession: (sessionToken) =>
      createGatehouse<T>({ ...options, apiKey: undefined, onBehalfOf: undefined, sessionToken }),
    async can(query) {
      const { result } = await api.authz.check.query(query);
      return result.allowed;
    },
    async loadSnapshot(orgId, minRevision) {
      const snapshot = await api.authz.snapshot.query({ orgId, minRevision });
      return new LocalChecker<T>(snapshot);
    },
    exportAudit: (query) => fetchAuditExport({ ...options, apiKey: bearer }, query),
    auditEntries: (query) => auditEntries({ ...options, apiKey: bearer }, query),
  };
}

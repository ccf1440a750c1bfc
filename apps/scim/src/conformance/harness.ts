/**
 * The conformance suites' harness: the REAL Gatehouse server (`startServer` from
 * `@gatehouse/server`, port 0, no demo seed) on PGlite and, when `DATABASE_URL` is set, on a
 * fresh PostgreSQL database; an org made through the tRPC API with its SCIM token; and a raw
 * HTTP helper for the requests an SDK would never send.
 *
 * `@gatehouse/server` is resolved from its build (vitest alias, tsconfig `paths`): it depends on
 * this package, so declaring it back would be a dependency cycle for turbo. The server logs
 * nothing unless `SCIM_TEST_LOG` names a pino level (`SCIM_TEST_LOG=error` shows 500s' causes).
 */
import { testBackends } from '@gatehouse/db/testing';
import { createGatehouse, createScimClient, type Gatehouse, type ScimClient } from '@gatehouse/sdk';
import { configFromEnv, type RunningServer, startServer } from '@gatehouse/server';

export const ADMIN_KEY = 'scim-conformance-admin-key-0123456789abcdef';
export const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SEARCH_URN = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** One backend: its name and how to get a fresh database URL (undefined: in-memory PGlite). */
export interface Backend {
  readonly name: 'pglite' | 'postgres';
  fresh(): Promise<{ url: string | undefined; drop(): Promise<void> }>;
}

/** PGlite always; PostgreSQL too when `DATABASE_URL` is set. */
export function backends(): Backend[] {
  return testBackends().map((b) => ({
    name: b.name,
    fresh: async () =>
      b.freshUrl ? b.freshUrl() : { url: undefined, drop: async () => undefined },
  }));
}

/** A raw HTTP answer. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
  readonly body: any;
  readonly text: string;
}

/** An org with a SCIM token on a running server. */
export interface Org {
  readonly orgId: string;
  readonly ownerId: string;
  readonly token: string;
  readonly tokenId: string;
  readonly scim: ScimClient;
  /** Any request to `/scim/v2{path}` with this org's token (unless `authorization` is given). */
  raw(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer>;
}

/** A running server and its admin client. */
export interface Env {
  readonly backend: string;
  readonly server: RunningServer;
  readonly url: string;
  readonly admin: Gatehouse;
  newOrg(name?: string): Promise<Org>;
  close(): Promise<void>;
}

/** Sends one request to the SCIM endpoint. */
export async function request(
  url: string,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${url}/scim/v2${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

let orgs = 0;

/** Starts the real server on `backend`. */
export async function startEnv(backend: Backend): Promise<Env> {
  const db = await backend.fresh();
  const server = await startServer(
    configFromEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      GATEHOUSE_DATA_DIR: 'memory',
      ...(db.url ? { DATABASE_URL: db.url } : {}),
      GATEHOUSE_ADMIN_KEY: ADMIN_KEY,
      GATEHOUSE_DEMO: '0',
      LOG_LEVEL: process.env.SCIM_TEST_LOG ?? 'silent',
    }),
  );
  const admin = createGatehouse({ url: server.url, apiKey: ADMIN_KEY });
  return {
    backend: backend.name,
    server,
    url: server.url,
    admin,
    async newOrg(name = `Org ${++orgs}`) {
      const { result: org } = await admin.api.orgs.create.mutate({
        name,
        preset: 'flowcode',
        owner: { email: `owner-${orgs}-${Date.now()}@owner.test` },
      });
      const members = (await admin.api.members.list.query({ orgId: org.id })).items;
      const ownerId = members.find((m) => m.userId)?.userId;
      if (!ownerId) throw new Error('the new org has no owner');
      const { result } = await admin.api.scimTokens.create.mutate({ orgId: org.id, name: 'IdP' });
      const token = result.token;
      return {
        orgId: org.id,
        ownerId,
        token,
        tokenId: result.scimToken.id,
        scim: createScimClient({ url: server.url, token }),
        raw: (method, path, body, headers) =>
          request(server.url, token, method, path, body, headers),
      };
    },
    async close() {
      await server.close();
      await db.drop();
    },
  };
}

/** A minimal valid User body. */
export function userBody(
  userName: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    schemas: [USER_URN],
    userName,
    emails: [
      {
        value: userName.includes('@') ? userName : `${userName}@example.test`,
        type: 'work',
        primary: true,
      },
    ],
    active: true,
    ...extra,
  };
}

/** A PatchOp body. */
export function patchBody(...operations: Array<Record<string, unknown>>): Record<string, unknown> {
  return { schemas: [PATCH_URN], Operations: operations };
}

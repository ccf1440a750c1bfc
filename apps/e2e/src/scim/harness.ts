/**
 * The SCIM suites' harness, on top of the end-to-end one (`../harness.ts`: the backends, the real
 * server started in-process on port 0 with no demo seed, its admin key and SDK client): an org
 * made through the tRPC API with its SCIM token, and a raw HTTP helper for the requests an SDK
 * would never send. Set `E2E_LOG=error` to see a 500's cause in the server's log.
 *
 * The URNs are spelled out here from RFC 7643/7644, not imported from `@gatehouse/scim`, so a
 * wrong URN in the server fails these suites instead of agreeing with them.
 */
import { createScimClient, type ScimClient } from '@gatehouse/sdk';
import { type Backend, startTestServer, type TestServer } from '../harness.js';

export { backends } from '../harness.js';

export const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SEARCH_URN = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

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

/** A running server (see `TestServer`) that makes orgs with SCIM tokens. */
export interface Env extends TestServer {
  newOrg(name?: string): Promise<Org>;
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
  const t = await startTestServer(backend);
  const { admin, url } = t;
  return {
    ...t,
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
        scim: createScimClient({ url, token }),
        raw: (method, path, body, headers) => request(url, token, method, path, body, headers),
      };
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

/**
 * Who is calling: `Authorization: Bearer <key>` is the instance admin key, an org API client
 * key, or a user's session token (`ses_…`, from `sessions.login`: the user of one org, checked
 * as themselves); `X-Gatehouse-On-Behalf-Of: usr_…` names the user a key's call is made for
 * (both must then be allowed, and the audit names both); `X-Request-Id` is echoed into the
 * audit log.
 */
import { randomUUID } from 'node:crypto';
import {
  authenticateApiKey,
  authenticateSession,
  type Caller,
  DomainError,
  isAdminKey,
  isSessionToken,
  type Services,
  type Source,
} from '@gatehouse/domain';

/** Options that decide how keys are checked. */
export interface AuthOptions {
  /** `GATEHOUSE_ADMIN_KEY`, when set; otherwise the stored generated key is used. */
  readonly adminKey?: string | undefined;
}

/** Header names. */
export const ON_BEHALF_OF_HEADER = 'x-gatehouse-on-behalf-of';
export const REQUEST_ID_HEADER = 'x-request-id';

type Headers = Record<string, string | string[] | undefined>;

function header(h: Headers, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Resolves the caller from request headers; `error` explains a refused key. */
export async function resolveCaller(
  services: Services,
  headers: Headers,
  options: AuthOptions,
  source: Source = 'api',
): Promise<{ caller: Caller | null; error: string | null }> {
  const auth = header(headers, 'authorization');
  if (!auth) return { caller: null, error: null };
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  if (!m) return { caller: null, error: 'Authorization header must be "Bearer <key>"' };
  const key = m[1]!;
  const requestId = (header(headers, REQUEST_ID_HEADER) ?? `req_${randomUUID()}`).slice(0, 200);
  const onBehalfOf = header(headers, ON_BEHALF_OF_HEADER) || undefined;
  if (isSessionToken(key)) return sessionCaller(services, key, onBehalfOf, source, requestId);
  if (await isAdminKey(services, key, options.adminKey)) {
    return {
      caller: { principal: { kind: 'instance_admin' }, onBehalfOf, source, requestId },
      error: null,
    };
  }
  try {
    const client = await authenticateApiKey(services, key);
    return {
      caller: {
        principal: { kind: 'client', orgId: client.orgId, clientId: client.clientId },
        onBehalfOf,
        source,
        requestId,
      },
      error: null,
    };
  } catch (e) {
    if (e instanceof DomainError) return { caller: null, error: e.message };
    throw e;
  }
}

/** A session token's caller: the user itself; naming another user to act for is refused. */
async function sessionCaller(
  services: Services,
  token: string,
  onBehalfOf: string | undefined,
  source: Source,
  requestId: string,
): Promise<{ caller: Caller | null; error: string | null }> {
  try {
    const { principal } = await authenticateSession(services, token);
    if (onBehalfOf && onBehalfOf !== principal.userId) {
      return {
        caller: null,
        error: `a user session acts only as its own user; drop the ${ON_BEHALF_OF_HEADER} header`,
      };
    }
    return { caller: { principal, source, requestId }, error: null };
  } catch (e) {
    if (e instanceof DomainError) return { caller: null, error: e.message };
    throw e;
  }
}

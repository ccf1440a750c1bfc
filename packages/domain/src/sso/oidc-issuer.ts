/**
 * I1: an OIDC connection's issuer is checked when it is created (or changed): its discovery
 * document (OpenID Connect Discovery §4) is fetched through openid-client, which requires it to
 * name the same issuer; Gatehouse also requires the endpoints a sign-in uses. An issuer that
 * cannot be reached or answers wrong is a clear INVALID, unless the caller asks to go on anyway
 * (`ignoreIssuerErrors`: an IdP not reachable from here yet), and then the answer carries the
 * problem as a warning. An issuer on an address that is not public (loopback, private networks,
 * link-local…) is refused at connect time (./public-network-fetch.ts) and always INVALID, unless
 * the deployment allows private networks (`GATEHOUSE_SSO_ALLOW_PRIVATE_NETWORK=1`).
 */
import * as client from 'openid-client';
import type { OrgCall } from '../call.js';
import { DomainError } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import type { Services } from '../services.js';
import { fetchFailure, IDP_FETCH_TIMEOUT_MS, idpFetchOf } from './idp-fetch.js';
import { nonPublicAddressIn } from './public-network-fetch.js';

/** What the issuer check found wrong, and whether it is the issuer's address. */
interface IssuerProblem {
  readonly problem: string;
  /** The issuer (or a host it sent us to) is not on a public address (./public-address.ts). */
  readonly notPublic: boolean;
}

/**
 * What is wrong with `issuer` as an OpenID Provider for this deployment, or null when its
 * discovery document is usable. Never throws for the IdP's faults.
 */
export async function oidcIssuerProblem(
  s: Services,
  input: { issuer: string; clientId: string },
): Promise<string | null> {
  return (await issuerProblem(s, input))?.problem ?? null;
}

async function issuerProblem(
  s: Services,
  input: { issuer: string; clientId: string },
): Promise<IssuerProblem | null> {
  const url = new URL(input.issuer);
  const allowHttp = s.options?.ssoAllowHttp === true;
  if (url.protocol !== 'https:' && !allowHttp) {
    return {
      problem:
        'the issuer is not https (GATEHOUSE_SSO_ALLOW_HTTP=1 allows http, for tests and development only)',
      notPublic: false,
    };
  }
  const timeoutMs = s.options?.ssoFetchTimeoutMs ?? IDP_FETCH_TIMEOUT_MS;
  const fetchIdp = idpFetchOf(s);
  try {
    const config = await client.discovery(url, input.clientId, undefined, undefined, {
      execute: allowHttp ? [client.allowInsecureRequests] : [],
      timeout: Math.max(1, Math.ceil(timeoutMs / 1000)),
      [client.customFetch]: (u, options) =>
        fetchIdp(u, { ...options, signal: AbortSignal.timeout(timeoutMs) } as RequestInit),
    });
    const m = config.serverMetadata();
    const missing = (['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const).filter(
      (k) => typeof m[k] !== 'string',
    );
    if (missing.length > 0) {
      return { problem: `its discovery document has no ${missing.join(', ')}`, notPublic: false };
    }
    return null;
  } catch (e) {
    const refused = nonPublicAddressIn(e);
    if (refused) return { problem: refused.message, notPublic: true };
    return {
      problem: `its discovery document could not be read: ${discoveryFailure(e, timeoutMs)}`,
      notPublic: false,
    };
  }
}

/** openid-client's and the network's errors, in words. */
function discoveryFailure(e: unknown, timeoutMs: number): string {
  const err = e as { code?: unknown; message?: string; cause?: unknown };
  if (typeof err.code === 'string' && err.code.startsWith('OAUTH_')) {
    const inner = err.cause as { message?: string } | undefined;
    const status = (err.cause as { status?: number } | undefined)?.status;
    return `${err.message ?? err.code}${status ? ` (HTTP ${status})` : ''}${inner?.message && inner.message !== err.message ? `: ${inner.message}` : ''}`.slice(
      0,
      300,
    );
  }
  return fetchFailure(err.cause instanceof Error ? err.cause : e, timeoutMs);
}

/**
 * The issuer check of a connection write: fetched after checking that the caller may manage
 * connections at all (so nobody else makes the server fetch a URL); INVALID with the problem,
 * or, with `ignore`, the problem as a warning. An issuer on an address that is not public is
 * INVALID even with `ignore`: this deployment would never connect to it.
 */
export async function checkIssuerOrWarn(
  call: OrgCall,
  input: { issuer: string; clientId: string; ignore: boolean },
): Promise<string[]> {
  await authorizeRead(call, 'sso.manage', call.orgId);
  const found = await issuerProblem(call.services, input);
  if (!found) return [];
  const message = `issuer ${input.issuer}: ${found.problem}`;
  if (found.notPublic) {
    throw new DomainError('INVALID', message, { details: { reason: 'issuer_not_public' } });
  }
  if (input.ignore) return [message];
  throw new DomainError(
    'INVALID',
    `${message} (pass ignoreIssuerErrors to save the connection anyway)`,
    { details: { reason: 'issuer_unusable' } },
  );
}

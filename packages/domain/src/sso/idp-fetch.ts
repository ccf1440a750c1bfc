/**
 * Fetching what an identity provider publishes (a SAML metadata document): https only unless the
 * deployment allows http (`ssoAllowHttp`), public addresses only unless it allows private
 * networks (`ssoAllowPrivateNetwork`, ./public-network-fetch.ts), a timeout, a size limit, and a
 * clear INVALID error saying what went wrong, never a 500. The body of a failed answer is never
 * echoed.
 */
import { invalid } from '../errors.js';
import type { Services } from '../services.js';
import { nonPublicAddressIn, publicNetworkFetch } from './public-network-fetch.js';

/** Default time one fetch may take. */
export const IDP_FETCH_TIMEOUT_MS = 10_000;
/** Largest document accepted (a real SAML metadata document is a few KiB). */
export const IDP_FETCH_MAX_BYTES = 512 * 1024;

/**
 * A URL Gatehouse may fetch an IdP document from: absolute, https (http only when
 * `ssoAllowHttp`), without credentials or fragment. INVALID otherwise.
 */
export function checkIdpDocumentUrl(s: Services, url: string, what: string): string {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw invalid(`${what} "${url.slice(0, 100)}" is not a URL`);
  }
  const http = s.options?.ssoAllowHttp === true;
  if (u.protocol !== 'https:' && !(http && u.protocol === 'http:')) {
    throw invalid(
      `${what} must be https${http ? ' or http' : ''} (GATEHOUSE_SSO_ALLOW_HTTP=1 allows http, for tests and development only)`,
    );
  }
  if (u.username || u.password || u.hash) {
    throw invalid(`${what} must have no credentials or fragment`);
  }
  return u.href;
}

/**
 * The fetch the services use for everything they ask an IdP (discovery, JWKS, token, userinfo,
 * SAML metadata): the test's own (`ssoFetch`), else one that connects to public addresses only,
 * else, when the deployment allows private networks (`ssoAllowPrivateNetwork`), the global one.
 */
export const idpFetchOf = (s: Services): typeof fetch =>
  s.options?.ssoFetch ?? (s.options?.ssoAllowPrivateNetwork === true ? fetch : publicNetworkFetch);

/**
 * GETs `url` (checked by `checkIdpDocumentUrl`) and returns its body as text. INVALID when it
 * cannot be reached, takes longer than the timeout, answers other than 2xx, is redirected to a
 * URL that would not be allowed, or is larger than `maxBytes`.
 */
export async function fetchIdpDocument(
  s: Services,
  url: string,
  opts: { what: string; accept: string; maxBytes?: number | undefined },
): Promise<string> {
  const href = checkIdpDocumentUrl(s, url, opts.what);
  const timeoutMs = s.options?.ssoFetchTimeoutMs ?? IDP_FETCH_TIMEOUT_MS;
  const max = opts.maxBytes ?? IDP_FETCH_MAX_BYTES;
  const signal = AbortSignal.timeout(timeoutMs);
  let res: Response;
  try {
    res = await idpFetchOf(s)(href, {
      headers: { accept: opts.accept },
      redirect: 'follow',
      signal,
    });
  } catch (e) {
    throw invalid(`${opts.what} ${href} could not be fetched: ${fetchFailure(e, timeoutMs)}`);
  }
  try {
    if (res.url && res.url !== href) checkIdpDocumentUrl(s, res.url, `${opts.what} (redirected)`);
    if (!res.ok) throw invalid(`${opts.what} ${href} answered HTTP ${res.status}`);
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > max) throw invalid(`${opts.what} ${href} is larger than ${max} bytes`);
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (res.body) {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        size += chunk.byteLength;
        if (size > max) throw invalid(`${opts.what} ${href} is larger than ${max} bytes`);
        chunks.push(chunk);
      }
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (e) {
    if (e instanceof Error && e.name === 'DomainError') throw e;
    throw invalid(`${opts.what} ${href} could not be read: ${fetchFailure(e, timeoutMs)}`);
  } finally {
    if (!res.bodyUsed) await res.body?.cancel().catch(() => undefined);
  }
}

/** Why a fetch failed, in words (the network's error code when there is one). */
export function fetchFailure(e: unknown, timeoutMs: number): string {
  const refused = nonPublicAddressIn(e);
  if (refused) return refused.message;
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
    return `no answer within ${Math.round(timeoutMs / 100) / 10} s`;
  }
  const code = err?.cause?.code;
  return (code ?? err?.cause?.message ?? err?.message ?? String(e)).slice(0, 200);
}

/**
 * Security headers on every response (helmet), chosen for a JSON API that no browser renders:
 * `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` (nothing may load, nor
 * frame it), `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`, nosniff and the
 * cross-origin isolation headers of helmet's defaults. HSTS only when the public URL is https:
 * browsers ignore it over plain http (RFC 6797 §8.1), and on a loopback or plain-http deployment
 * it would only pin a TLS promise nobody made.
 *
 * The headers do not depend on the request, so helmet runs once, at start, and the server sets
 * the list it produced on each response (server.ts): a dozen middleware calls and a CSP string
 * less per request (issue 15, measured in `pnpm bench:check`).
 */
import helmet from 'helmet';

/** The headers helmet sets for this deployment; `publicUrl` decides HSTS. */
export function securityHeaderList(publicUrl: string | undefined): [string, string][] {
  const https = publicUrl?.startsWith('https:') ?? false;
  const middleware = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    frameguard: { action: 'deny' },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) =>
      headers.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
  };
  let done = false;
  middleware({} as never, res as never, () => {
    done = true;
  });
  // helmet's middleware is synchronous; anything else would be a helmet this code does not know.
  if (!done) throw new Error('helmet did not finish synchronously');
  return [...headers];
}

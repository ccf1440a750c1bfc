/**
 * Security headers on every response (helmet), chosen for a JSON API that no browser renders:
 * `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` (nothing may load, nor
 * frame it), `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`, nosniff and the
 * cross-origin isolation headers of helmet's defaults. HSTS only when the public URL is https:
 * browsers ignore it over plain http (RFC 6797 §8.1), and on a loopback or plain-http deployment
 * it would only pin a TLS promise nobody made.
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** The helmet middleware for this deployment; `publicUrl` decides HSTS. */
export function securityHeaders(publicUrl: string | undefined): RequestHandler {
  const https = publicUrl?.startsWith('https:') ?? false;
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    frameguard: { action: 'deny' },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
}

/**
 * Socket timeouts of the HTTP server: a client gets `headersTimeoutMs` to send its headers and
 * `requestTimeoutMs` for the whole request (then 408 and the connection is closed), so a slow
 * client cannot hold a socket for minutes. Idle keep-alive sockets stay open 65 s, longer than
 * clients' reuse window (and than a PGlite query that blocks the event loop), so a client never
 * sends on a socket the server is closing (that race surfaced as ECONNRESET under load).
 */
import type { ServerOptions } from 'node:http';

/** Defaults: 10 s for headers, 30 s for a whole request. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Idle keep-alive sockets: 65 s (set on the server after creation). */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** `http.createServer` options for these timeouts. */
export function httpTimeouts(config: {
  readonly headersTimeoutMs?: number | undefined;
  readonly requestTimeoutMs?: number | undefined;
}): ServerOptions {
  const requestTimeout = config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // Node requires headersTimeout <= requestTimeout.
  const headersTimeout = Math.min(
    config.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    requestTimeout,
  );
  return {
    requestTimeout,
    headersTimeout,
    // Node checks the two timeouts this often (default 30 s, which would stretch short ones).
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeout / 2))),
  };
}

/**
 * Authentication at the edge, before a body is read: the failed-credential throttle is asked
 * first (a refused address or key prefix gets 429 before its credential is checked), then the
 * bearer credential is resolved, and a refused one is counted against the address and prefix.
 */
import type { IncomingMessage } from 'node:http';
import type { Caller, Services } from '@gatehouse/domain';
import {
  bearerOf,
  type CredentialThrottle,
  keyPrefixOf,
  type ThrottleRefusal,
} from '@gatehouse/edge';
import { type AuthOptions, resolveCaller } from './auth.js';

/** What the edge learned about a request's credential. */
export type EdgeAuth =
  | { readonly refusal: ThrottleRefusal }
  | { readonly refusal?: undefined; readonly caller: Caller | null; readonly error: string | null };

/** Options of `authenticateAtEdge`. */
export interface EdgeAuthOptions extends AuthOptions {
  readonly services: Services;
  /** The failed-credential throttle; none: nothing is counted. */
  readonly throttle?: CredentialThrottle | undefined;
}

/** The client address the throttle counts a request under. */
export function clientAddress(req: IncomingMessage & { ip?: string | undefined }): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/**
 * Throttle, then resolve: `refusal` when the address or key prefix is locked out, otherwise the
 * caller (null without a valid credential) and why a presented credential was refused.
 */
export async function authenticateAtEdge(
  options: EdgeAuthOptions,
  req: IncomingMessage & { ip?: string | undefined },
): Promise<EdgeAuth> {
  const presented = req.headers.authorization !== undefined;
  const source = {
    address: clientAddress(req),
    keyPrefix: keyPrefixOf(bearerOf(req.headers.authorization)),
  };
  if (presented && options.throttle) {
    const refusal = options.throttle.check(source);
    if (refusal) return { refusal };
  }
  const { caller, error } = await resolveCaller(options.services, req.headers, options);
  if (presented && !caller) options.throttle?.fail(source);
  return { caller, error };
}

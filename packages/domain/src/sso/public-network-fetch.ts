/**
 * A `fetch` that connects to public addresses only (./public-address.ts), for the URLs org
 * admins type in: OIDC issuers (discovery, JWKS, token, userinfo) and SAML metadata URLs.
 *
 * The check happens where the socket is opened, on the address it is opened to: a host name is
 * resolved once (`dns.lookup`, every address) and refused when any of its addresses is not
 * public, so a name that resolves to a public address when checked and to 127.0.0.1 when
 * connected (DNS rebinding) gains nothing. An IP literal (`http://10.0.0.1/`, `[::1]`, and the
 * forms the URL parser turns into one, `http://2130706433/`, `http://0x7f.1/`) is never looked
 * up by Node, so the connector checks it itself; the URL's host is also checked before any
 * request. Redirects go through the same connector. Node 20's global `fetch` (undici 6.24)
 * takes the undici 6 `Agent` as its `dispatcher`.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { bareAddress, isPublicAddress } from './public-address.js';

/** A connection refused because its address is not public. */
export class NonPublicAddressError extends Error {
  override readonly name = 'NonPublicAddressError';
  /** The address refused, and the host name that resolved to it (or the literal itself). */
  constructor(
    readonly address: string,
    readonly host: string,
  ) {
    super(
      `the IdP address ${address}${host === address ? '' : ` (of ${host})`} is not a public address; set GATEHOUSE_SSO_ALLOW_PRIVATE_NETWORK=1 to allow private networks`,
    );
  }
}

/** The refusal in `e` or its chain of causes (`fetch failed` wraps it), if there is one. */
export function nonPublicAddressIn(e: unknown): NonPublicAddressError | null {
  for (let cause = e, depth = 0; cause && depth < 5; depth++) {
    if (cause instanceof NonPublicAddressError) return cause;
    cause = (cause as { cause?: unknown }).cause;
  }
  return null;
}

/** Which addresses a guarded agent may connect to. */
export type AddressAllowed = (address: string) => boolean;

/** Refuses `host` when it is an IP literal that `allowed` does not accept. */
function refuseLiteral(host: string, allowed: AddressAllowed): NonPublicAddressError | null {
  const bare = bareAddress(host);
  return isIP(bare) !== 0 && !allowed(bare) ? new NonPublicAddressError(bare, bare) : null;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * `net.connect`'s `lookup`: every address of `hostname`, refused when any is not allowed;
 * answers in the shape asked for (`all` when Node races IPv4 and IPv6, one address otherwise).
 */
const guardedLookup =
  (allowed: AddressAllowed) =>
  (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const refused = addresses.find((a) => !allowed(a.address));
      if (refused) return callback(new NonPublicAddressError(refused.address, hostname), []);
      const first = addresses[0];
      if (options.all || !first) return callback(null, addresses);
      callback(null, first.address, first.family);
    });
  };

/**
 * An undici `Agent` that opens connections only to addresses `allowed` accepts (default: public
 * ones), checked on the address connected to: a host name's resolved addresses, or the IP
 * literal itself (Node does not look those up). Redirects reuse it, so they are checked too.
 */
export function guardedAgent(allowed: AddressAllowed = isPublicAddress): Agent {
  const connect = buildConnector({ lookup: guardedLookup(allowed) });
  return new Agent({
    connect: (options, callback) => {
      const refused = refuseLiteral(options.hostname, allowed);
      if (refused) return callback(refused, null);
      connect(options, callback);
    },
  });
}

/** The host of what `fetch` was given. */
function hostOf(input: Parameters<typeof fetch>[0]): string | null {
  try {
    return new URL(input instanceof Request ? input.url : input.toString()).hostname;
  } catch {
    return null;
  }
}

/**
 * The global `fetch` through `agent` (`guardedAgent`), refusing an IP-literal URL host the
 * agent's rule refuses before anything else happens.
 */
export function guardedFetch(
  agent: () => Agent,
  allowed: AddressAllowed = isPublicAddress,
): typeof fetch {
  return async (input, init) => {
    const host = hostOf(input);
    const refused = host === null ? null : refuseLiteral(host, allowed);
    if (refused) throw refused;
    return fetch(input, { ...init, dispatcher: agent() } as RequestInit);
  };
}

let publicAgent: Agent | null = null;

/**
 * `fetch` that only connects to public addresses; a refusal rejects with a `NonPublicAddressError`
 * (or a `TypeError('fetch failed')` whose `cause` is one) before anything is sent. One agent
 * (one set of connection pools) for the process, made at the first call.
 *
 * @example
 * await publicNetworkFetch('http://169.254.169.254/latest/meta-data/');
 * // rejects: the IdP address 169.254.169.254 is not a public address; set …
 */
export const publicNetworkFetch: typeof fetch = guardedFetch(() => {
  publicAgent ??= guardedAgent();
  return publicAgent;
});

/**
 * I3: the DNS lookup that proves a domain: the TXT records at `_gatehouse-challenge.<domain>`
 * must include `gatehouse-verification=<token>`. The resolver is injectable
 * (`ServiceOptions.dnsResolver`): the server builds one from `GATEHOUSE_DNS_SERVERS`, tests
 * point one at a DNS server on 127.0.0.1; the default is Node's resolver on the system's servers.
 */
import { Resolver } from 'node:dns/promises';
import type { Services } from '../services.js';

/** The name the TXT record is created at, in front of the domain. */
export const CHALLENGE_LABEL = '_gatehouse-challenge';
/** What the TXT record's value starts with; the domain's token follows. */
export const CHALLENGE_VALUE_PREFIX = 'gatehouse-verification=';

/** The TXT lookup verification needs (Node's `dns.promises.Resolver` is one). */
export interface TxtResolver {
  /** The TXT records at `name`, each as its character strings; rejects with `code` set. */
  resolveTxt(name: string): Promise<string[][]>;
}

/** The DNS record an org creates to verify a domain. */
export interface ChallengeRecord {
  readonly type: 'TXT';
  /** `_gatehouse-challenge.acme.com` */
  readonly name: string;
  /** `gatehouse-verification=<token>` */
  readonly value: string;
}

/** Why a lookup did not verify. */
export type CheckFailure = 'nxdomain' | 'no_record' | 'mismatch' | 'timeout' | 'dns_error';

/** The outcome of one lookup. */
export type CheckOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: CheckFailure; readonly error: string };

/** The record that verifies `domain` with `token`. */
export function challengeRecord(domain: string, token: string): ChallengeRecord {
  return {
    type: 'TXT',
    name: `${CHALLENGE_LABEL}.${domain}`,
    value: `${CHALLENGE_VALUE_PREFIX}${token}`,
  };
}

/** Options of `createTxtResolver`. */
export interface TxtResolverOptions {
  /** DNS servers as `host` or `host:port` (`127.0.0.1:5353`); default the system's. */
  readonly servers?: readonly string[] | undefined;
  /** Time one query waits for an answer; default 5 s. */
  readonly timeoutMs?: number | undefined;
  /** Attempts per server before a timeout is reported; default 2. */
  readonly tries?: number | undefined;
}

/**
 * A resolver over Node's `dns.promises.Resolver`, asking `servers` (`GATEHOUSE_DNS_SERVERS`).
 *
 * @example
 * createServices(db, { dnsResolver: createTxtResolver({ servers: ['127.0.0.1:5353'] }) });
 */
export function createTxtResolver(o: TxtResolverOptions = {}): TxtResolver {
  const r = new Resolver({ timeout: o.timeoutMs ?? 5000, tries: o.tries ?? 2 });
  if (o.servers && o.servers.length > 0) r.setServers([...o.servers]);
  return r;
}

let systemResolver: TxtResolver | undefined;

/** The services' resolver: `options.dnsResolver`, else one on the system's DNS servers. */
export function resolverOf(s: Services): TxtResolver {
  const given = s.options?.dnsResolver;
  if (given) return given;
  systemResolver ??= createTxtResolver();
  return systemResolver;
}

/** Looks the challenge of `domain` up and says whether it carries `token`, or why not. */
export async function checkChallenge(
  resolver: TxtResolver,
  domain: string,
  token: string,
): Promise<CheckOutcome> {
  const want = challengeRecord(domain, token);
  let records: string[][];
  try {
    records = await resolver.resolveTxt(want.name);
  } catch (e) {
    return lookupFailed(want, (e as { code?: unknown }).code);
  }
  // A TXT record longer than 255 bytes comes as several strings: they form one value.
  const values = records.map((chunks) => chunks.join('').trim());
  if (values.includes(want.value)) return { ok: true };
  if (values.length === 0) return noRecord(want, 'no_record');
  return {
    ok: false,
    reason: 'mismatch',
    error: `the TXT records at ${want.name} do not include "${want.value}" (found ${values.length} other record${values.length === 1 ? '' : 's'})`,
  };
}

function lookupFailed(want: ChallengeRecord, code: unknown): CheckOutcome {
  switch (code) {
    case 'ENOTFOUND':
      return noRecord(want, 'nxdomain');
    case 'ENODATA':
      return noRecord(want, 'no_record');
    case 'ETIMEOUT':
      return {
        ok: false,
        reason: 'timeout',
        error: `the DNS lookup of ${want.name} timed out; try again later`,
      };
    default:
      return {
        ok: false,
        reason: 'dns_error',
        error: `the DNS lookup of ${want.name} failed (${typeof code === 'string' ? code : 'unknown error'}); try again later`,
      };
  }
}

function noRecord(want: ChallengeRecord, reason: 'nxdomain' | 'no_record'): CheckOutcome {
  const what = reason === 'nxdomain' ? 'the name does not exist (NXDOMAIN)' : 'no TXT record';
  return {
    ok: false,
    reason,
    error: `${want.name}: ${what}; create a TXT record there with the value "${want.value}"`,
  };
}

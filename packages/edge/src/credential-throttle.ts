/**
 * Throttling credential guessing at the edge: failed credentials (API keys, SCIM tokens, session
 * tokens, logins) are counted per client address and per key prefix (the id before the dot of
 * `cli_….secret`, `sct_….secret`, `ses_….secret`) in a sliding window. Past the limit, requests
 * from that address, or bearing keys with that prefix, are refused with 429 and the seconds to
 * wait BEFORE their credential is checked: a guess that happens to be right during a lockout
 * gets the same 429 as a wrong one, so the lockout cannot serve as an oracle.
 *
 * The counts live in this process's memory, not the database: recording every failure in the
 * database would let unauthenticated traffic cause a write per request, while the goal is only
 * to slow guessing (keys and tokens carry 256 random bits; the per-email login throttle, which
 * guards guessable passwords, is in the database and shared by all processes). With several
 * processes, a guesser gets at most the limit per process per window. Memory is bounded: at most
 * `maxTracked` addresses and prefixes are tracked, the oldest dropped first.
 */

/** The throttle's settings; a limit of 0 turns that half off. */
export interface CredentialThrottleLimits {
  /** Failures from one client address within the window before it is refused. */
  readonly maxPerAddress: number;
  /** Failures with one key prefix within the window before that prefix is refused. */
  readonly maxPerKey: number;
  /** The sliding window, in milliseconds. */
  readonly windowMs: number;
  /** Most addresses and prefixes tracked at once (default 100,000). */
  readonly maxTracked?: number | undefined;
}

/** Defaults: 50 failures per address, 10 per key prefix, in 5 minutes. */
export const DEFAULT_CREDENTIAL_THROTTLE: CredentialThrottleLimits = {
  maxPerAddress: 50,
  maxPerKey: 10,
  windowMs: 5 * 60_000,
};

/** Why a request is refused, and for how long. */
export interface ThrottleRefusal {
  readonly scope: 'address' | 'key';
  readonly retryAfterSeconds: number;
  /** Written for callers. */
  readonly message: string;
}

/** Who presents a credential: the client address and, when the credential has one, its prefix. */
export interface CredentialSource {
  readonly address?: string | undefined;
  readonly keyPrefix?: string | undefined;
}

const PREFIX = /^[a-z]{2,8}_[0-9A-Za-z]{1,64}$/;

/**
 * The prefix a throttle counts a bearer credential under: the record id before the first dot
 * (`cli_abc` of `cli_abc.s3cr3t`), or undefined for credentials without one (the admin key).
 */
export function keyPrefixOf(credential: string | undefined): string | undefined {
  if (!credential) return undefined;
  const dot = credential.indexOf('.');
  const id = dot > 0 ? credential.slice(0, dot) : '';
  return PREFIX.test(id) ? id : undefined;
}

/** The bearer credential of an `Authorization` header value, if it has that shape. */
export function bearerOf(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const m = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return m ? m[1] : undefined;
}

/** Failed-credential counts of one process (see the module comment). */
export class CredentialThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly maxTracked: number;

  constructor(
    readonly limits: CredentialThrottleLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.maxTracked = limits.maxTracked ?? 100_000;
  }

  /** True when neither half counts anything. */
  get off(): boolean {
    return (
      this.limits.windowMs <= 0 || (this.limits.maxPerAddress <= 0 && this.limits.maxPerKey <= 0)
    );
  }

  /** The refusal for a request from `source`, or null when it may present its credential. */
  check(source: CredentialSource): ThrottleRefusal | null {
    if (this.off) return null;
    const t = this.now();
    const { maxPerAddress, maxPerKey } = this.limits;
    if (source.address && maxPerAddress > 0) {
      const wait = this.wait(`a:${source.address}`, maxPerAddress, t);
      if (wait > 0) {
        return refusal('address', wait, 'too many failed credentials from this address');
      }
    }
    if (source.keyPrefix && maxPerKey > 0) {
      const wait = this.wait(`k:${source.keyPrefix}`, maxPerKey, t);
      if (wait > 0) return refusal('key', wait, 'too many failed attempts with this key');
    }
    return null;
  }

  /** Counts one failed credential from `source`. */
  fail(source: CredentialSource): void {
    if (this.off) return;
    const t = this.now();
    if (source.address && this.limits.maxPerAddress > 0) {
      this.add(`a:${source.address}`, this.limits.maxPerAddress, t);
    }
    if (source.keyPrefix && this.limits.maxPerKey > 0) {
      this.add(`k:${source.keyPrefix}`, this.limits.maxPerKey, t);
    }
  }

  /** Milliseconds until `key` may try again (0: now). */
  private wait(key: string, max: number, t: number): number {
    const times = this.recent(key, t);
    if (!times || times.length < max) return 0;
    // Open again when the oldest of the last `max` failures leaves the window.
    return times[times.length - max]! + this.limits.windowMs - t;
  }

  private recent(key: string, t: number): number[] | undefined {
    const times = this.failures.get(key);
    if (!times) return undefined;
    const from = t - this.limits.windowMs;
    let drop = 0;
    while (drop < times.length && times[drop]! <= from) drop++;
    if (drop === times.length) {
      this.failures.delete(key);
      return undefined;
    }
    if (drop > 0) times.splice(0, drop);
    return times;
  }

  private add(key: string, max: number, t: number): void {
    const times = this.recent(key, t) ?? [];
    times.push(t);
    // Only the last `max` failures decide a refusal.
    if (times.length > max) times.splice(0, times.length - max);
    // Re-insert so the Map's order is least recently failed first.
    this.failures.delete(key);
    this.failures.set(key, times);
    while (this.failures.size > this.maxTracked) {
      const oldest = this.failures.keys().next().value as string;
      this.failures.delete(oldest);
    }
  }
}

function refusal(scope: 'address' | 'key', waitMs: number, why: string): ThrottleRefusal {
  const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
  return {
    scope,
    retryAfterSeconds,
    message: `${why}; try again in ${retryAfterSeconds} second(s)`,
  };
}

/**
 * Secrets (API keys, tokens, links): random, shown once, stored as SHA-256 hashes, compared in
 * constant time. They carry 256 bits of entropy, so a fast hash is the right one.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new random secret, URL-safe. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** The stored form of a secret. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Constant-time equality of two secrets held in plain (a configured key): their SHA-256 digests
 * are compared, so neither the time taken nor an early exit depends on where they differ or on
 * their lengths.
 */
export function secretsEqual(presented: string, expected: string): boolean {
  if (expectedDigest?.secret !== expected) {
    expectedDigest = { secret: expected, digest: createHash('sha256').update(expected).digest() };
  }
  return timingSafeEqual(createHash('sha256').update(presented).digest(), expectedDigest.digest);
}

/** The configured key's digest, kept: it is the same on every request. */
let expectedDigest: { secret: string; digest: Buffer } | undefined;

/**
 * A bearer credential for a stored record: `<id>.<secret>`, so the id finds the row and the
 * SHA-256 of the whole string is what gets stored; `hint` is its last four characters.
 */
export function issueCredential(id: string): { secret: string; hash: string; hint: string } {
  const secret = `${id}.${newSecret()}`;
  return { secret, hash: hashSecret(secret), hint: secret.slice(-4) };
}

/**
 * Password hashing with node's built-in scrypt (RFC 7914), salted per password. Stored as
 * `scrypt$N$r$p$salt$hash` (base64url), so the cost can be raised later without breaking old
 * hashes.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { invalid } from '../errors.js';

const COST = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
/** Length limits: long enough for passphrases, short enough that hashing stays cheap. */
export const PASSWORD_MIN = 8;
/** The longest password accepted. */
export const PASSWORD_MAX = 256;

function derive(password: string, salt: Buffer, cost: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { ...cost, maxmem: 64 * 1024 * 1024 },
      (e, key) => (e ? reject(e) : resolve(key)),
    );
  });
}

/** Throws INVALID unless the password meets the length policy. */
export function checkPasswordPolicy(password: string): void {
  if (password.length < PASSWORD_MIN) {
    throw invalid(`the password must have at least ${PASSWORD_MIN} characters`);
  }
  if (password.length > PASSWORD_MAX) {
    throw invalid(`the password must have at most ${PASSWORD_MAX} characters`);
  }
}

/**
 * The stored form of a password.
 *
 * @example
 * const stored = await hashPassword('correct horse battery staple');
 * await verifyPassword('correct horse battery staple', stored); // true
 */
export async function hashPassword(password: string): Promise<string> {
  checkPasswordPolicy(password);
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return [
    'scrypt',
    COST.N,
    COST.r,
    COST.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

/** True when `password` matches a hash made by `hashPassword` (constant-time compare). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * Password hashing with node's built-in scrypt (RFC 7914), salted per password. Stored as
 * `scrypt$N$r$p$salt$hash` (base64url), so the cost can be raised later without breaking old
 * hashes.
 *
 * The policy is NIST SP 800-63B §5.1.1.2's: a length (8 to 256 characters), no composition rules,
 * and a check against passwords known to be common (the 10,000 most common, `data/common-passwords.txt`,
 * compared case-insensitively) and against the account's own email address.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
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

/** The bundled list, beside `src/` and `dist/` alike (`packages/domain/data`). */
const COMMON_PASSWORDS_FILE = new URL('../../data/common-passwords.txt', import.meta.url);
let common: ReadonlySet<string> | undefined;

/** The common passwords, lower-cased; read once, on first use. */
export function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(
    readFileSync(COMMON_PASSWORDS_FILE, 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
  return common;
}

const folded = (text: string) => text.normalize('NFKC').toLowerCase();

/**
 * Throws INVALID, saying why, unless the password meets the policy: 8 to 256 characters, not one
 * of the 10,000 most common passwords, not the account's email address nor the part before its
 * `@` (case-insensitive). Every use case that sets a password asks it, with the account's email.
 *
 * @example
 * checkPasswordPolicy('correct horse battery staple', { email: 'ana@acme.test' }); // passes
 * checkPasswordPolicy('password1'); // INVALID: one of the 10,000 most common passwords
 */
export function checkPasswordPolicy(
  password: string,
  context: { readonly email?: string | undefined } = {},
): void {
  if (password.length < PASSWORD_MIN) {
    throw invalid(`the password must have at least ${PASSWORD_MIN} characters`);
  }
  if (password.length > PASSWORD_MAX) {
    throw invalid(`the password must have at most ${PASSWORD_MAX} characters`);
  }
  const candidate = folded(password);
  if (commonPasswords().has(candidate)) {
    throw invalid(
      'this password is one of the 10,000 most common passwords, the first ones an attacker tries; choose another (a few unrelated words make a strong one)',
    );
  }
  if (context.email) {
    const email = folded(context.email.trim());
    const local = email.slice(0, Math.max(0, email.lastIndexOf('@')));
    if (candidate === email || (local !== '' && candidate === local)) {
      throw invalid('the password must not be your email address or the part before its @');
    }
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

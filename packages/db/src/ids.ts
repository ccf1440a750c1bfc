/**
 * Prefixed ids from one table (`org_…`, `usr_…`): an id in a log says what it is. The first 10
 * characters encode the creation time, so ids sort roughly by age (keyset pagination).
 */
import { randomFillSync } from 'node:crypto';

/** Every id prefix in use. */
export const ID_PREFIXES = {
  org: 'org',
  scope: 'scp',
  user: 'usr',
  group: 'grp',
  role: 'role',
  assignment: 'asg',
  apiClient: 'cli',
  audit: 'aud',
  instanceKey: 'ink',
  invitation: 'inv',
  email: 'eml',
  scimToken: 'sct',
  request: 'req',
  session: 'ses',
  passwordReset: 'pwr',
  domain: 'dom',
  ssoConnection: 'ssoc',
  ssoAttempt: 'ssoa',
  ssoCode: 'ssox',
  mfaFactor: 'mfa',
  mfaChallenge: 'mfac',
} as const;

/** A kind of id. */
export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** A new id of a kind: `usr_01jd3k4m5n7p8q9r2s3t4v5w6x`. */
export function newId(kind: IdKind): string {
  let time = Date.now();
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = ALPHABET[time % 32] + head;
    time = Math.floor(time / 32);
  }
  const at = takeRandom();
  let tail = '';
  for (let i = at; i < at + TAIL_BYTES; i++) tail += ALPHABET[pool[i]! % 32];
  return `${ID_PREFIXES[kind]}_${head}${tail}`;
}

/** Random bytes in an id's tail (each gives one of 32 characters: 256 is a multiple of 32). */
const TAIL_BYTES = 16;
/**
 * Issue 15: ids take their randomness from a pool filled 256 ids at a time, as Node's own
 * `randomUUID` does, instead of one `randomBytes` call per id (~15 µs each, 3% of a SCIM
 * provisioning's server CPU). Each byte is used once.
 */
const pool = Buffer.alloc(TAIL_BYTES * 256);
let next = pool.length;

/** The offset of TAIL_BYTES fresh random bytes in `pool`, refilling it when used up. */
function takeRandom(): number {
  if (next + TAIL_BYTES > pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const at = next;
  next += TAIL_BYTES;
  return at;
}

/** True when `id` has the prefix of `kind`. */
export function isId(kind: IdKind, id: string): boolean {
  return id.startsWith(`${ID_PREFIXES[kind]}_`);
}

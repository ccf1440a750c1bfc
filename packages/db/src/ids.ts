/**
 * Prefixed ids from one table (`org_…`, `usr_…`): an id in a log says what it is. The first 10
 * characters encode the creation time, so ids sort roughly by age (keyset pagination).
 */
import { randomBytes } from 'node:crypto';

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
  const bytes = randomBytes(16);
  let tail = '';
  for (const b of bytes) tail += ALPHABET[b % 32];
  return `${ID_PREFIXES[kind]}_${head}${tail}`;
}

/** True when `id` has the prefix of `kind`. */
export function isId(kind: IdKind, id: string): boolean {
  return id.startsWith(`${ID_PREFIXES[kind]}_`);
}

/**
 * Verifying a presented bearer credential `<id>.<secret>` against its row (API client keys, SCIM
 * tokens: the same columns, `CredentialTable`), with the cache of verified ones
 * (`CredentialCache`, keyed by the secret's hash): one statement reads the row and its org's
 * revision, the secret is compared in constant time, a revoked one is refused, and last use is
 * recorded at most once a minute.
 */
import { DomainError } from '../errors.js';
import type { Services } from '../services.js';
import { CredentialCache } from './credential-cache.js';
import { type CredentialTable, credentialNoun, recordCredentialUse } from './credential-rows.js';
import { hashSecret, secretMatches } from './secrets.js';

/** A verified credential: its org, id and name. */
export interface VerifiedCredential {
  readonly orgId: string;
  readonly id: string;
  readonly name: string;
}

/** How one kind of credential looks. */
export interface CredentialShape {
  /** What a well-formed id matches; anything else is refused without a statement. */
  readonly id: RegExp;
  /** The refusal of a wrong or unknown credential ("invalid API key"). */
  readonly invalid: string;
}

const verified: Record<CredentialTable, CredentialCache<VerifiedCredential>> = {
  api_clients: new CredentialCache(),
  scim_tokens: new CredentialCache(),
};

/** The credential of `table` that `presented` is, or UNAUTHENTICATED. */
export async function verifyCredential(
  s: Services,
  table: CredentialTable,
  presented: string,
  shape: CredentialShape,
): Promise<VerifiedCredential> {
  const hash = hashSecret(presented);
  const cache = verified[table];
  const hit = cache.get(s, hash);
  if (hit) return hit;
  const dot = presented.indexOf('.');
  const id = dot > 0 ? presented.slice(0, dot) : '';
  const row = shape.id.test(id)
    ? await s.db
        .selectFrom(table)
        .innerJoin('orgs', 'orgs.id', `${table}.org_id` as 'api_clients.org_id')
        .selectAll(table)
        .select('orgs.revision')
        .where(`${table}.id` as 'api_clients.id', '=', id)
        .executeTakeFirst()
    : undefined;
  if (!row || !secretMatches(presented, row.secret_hash)) {
    throw new DomainError('UNAUTHENTICATED', shape.invalid);
  }
  if (row.revoked_at) {
    throw new DomainError('UNAUTHENTICATED', `${credentialNoun(table)} ${id} is revoked`);
  }
  const now = Date.now();
  await recordCredentialUse(s.db, table, row, now);
  const credential = { orgId: row.org_id, id: row.id, name: row.name };
  cache.set(s, hash, row.org_id, row.revision, credential, now);
  return credential;
}

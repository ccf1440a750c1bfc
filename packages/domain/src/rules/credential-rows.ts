/**
 * The rows of the bearer credentials an org issues, API client keys (K1) and SCIM tokens (S4):
 * both tables have the same columns (`CredentialsTable`), so issuing, rotating, revoking and
 * recording last use are written once here. Callers authorize, audit and emit with their own
 * names; these only touch rows, inside the caller's write.
 */
import type { CredentialRow, DB } from '@gatehouse/db';
import { notFound } from '../errors.js';
import type { OrgWrite } from '../org-write.js';
import { issueCredential } from './secrets.js';

/** A table of credentials. */
export type CredentialTable = 'api_clients' | 'scim_tokens';

/** How a credential is named in errors ("API client", "SCIM token"). */
const NOUN: Record<CredentialTable, string> = {
  api_clients: 'API client',
  scim_tokens: 'SCIM token',
};

/** The credential's name in errors ("API client", "SCIM token"). */
export const credentialNoun = (table: CredentialTable): string => NOUN[table];

/** How often `last_used_at` is written at most, per credential. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** A new credential row; `secret` is the bearer value, shown once and never stored. */
export async function insertCredential(
  w: OrgWrite,
  table: CredentialTable,
  id: string,
  name: string,
): Promise<{ row: CredentialRow; secret: string }> {
  const { secret, hash, hint } = issueCredential(id);
  const row = await w.trx
    .insertInto(table)
    .values({
      org_id: w.orgId,
      id,
      name,
      secret_hash: hash,
      secret_hint: hint,
      rotated_at: null,
      revoked_at: null,
      last_used_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, secret };
}

/** The org's credential `id`, or NOT_FOUND. */
export async function loadCredential(
  w: OrgWrite,
  table: CredentialTable,
  id: string,
): Promise<CredentialRow> {
  const row = await w.trx
    .selectFrom(table)
    .selectAll()
    .where('org_id', '=', w.orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound(`${NOUN[table]} ${id}`);
  return row;
}

/** Sets columns of the org's credential `id` and returns the row. */
async function updateCredential(
  w: OrgWrite,
  table: CredentialTable,
  id: string,
  set: Partial<Pick<CredentialRow, 'secret_hash' | 'secret_hint' | 'rotated_at' | 'revoked_at'>>,
): Promise<CredentialRow> {
  return w.trx
    .updateTable(table)
    .set(set)
    .where('org_id', '=', w.orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A new secret for a credential; the old one stops working at once. */
export async function rotateCredential(
  w: OrgWrite,
  table: CredentialTable,
  row: CredentialRow,
): Promise<{ row: CredentialRow; secret: string }> {
  const { secret, hash, hint } = issueCredential(row.id);
  const rotated = await updateCredential(w, table, row.id, {
    secret_hash: hash,
    secret_hint: hint,
    rotated_at: new Date(),
  });
  return { row: rotated, secret };
}

/** Marks a credential revoked (callers skip ones already revoked). */
export function revokeCredential(
  w: OrgWrite,
  table: CredentialTable,
  row: CredentialRow,
): Promise<CredentialRow> {
  return updateCredential(w, table, row.id, { revoked_at: new Date() });
}

/**
 * Records that a bearer credential (API key, SCIM token or user session, all rows keyed by
 * `org_id` and `id` with a `last_used_at`) was just used, at most once per
 * LAST_USED_RESOLUTION_MS. True when it wrote.
 */
export async function recordCredentialUse(
  db: DB,
  table: CredentialTable | 'sessions',
  row: Pick<CredentialRow, 'org_id' | 'id' | 'last_used_at'>,
  now: number,
): Promise<boolean> {
  if (row.last_used_at && now - new Date(row.last_used_at).getTime() <= LAST_USED_RESOLUTION_MS) {
    return false;
  }
  await db
    .updateTable(table)
    .set({ last_used_at: new Date(now) })
    .where('org_id', '=', row.org_id)
    .where('id', '=', row.id)
    .execute();
  return true;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** The parts of an issued credential the API shows (never the secret). */
export interface CredentialView {
  readonly id: string;
  readonly name: string;
  /** The secret's last four characters, to tell credentials apart. */
  readonly secretHint: string;
  readonly createdAt: string;
  readonly rotatedAt: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

/** A credential row as the API shows it. */
export function credentialView(r: CredentialRow): CredentialView {
  return {
    id: r.id,
    name: r.name,
    secretHint: r.secret_hint,
    createdAt: new Date(r.created_at).toISOString(),
    rotatedAt: iso(r.rotated_at),
    revokedAt: iso(r.revoked_at),
    lastUsedAt: iso(r.last_used_at),
  };
}

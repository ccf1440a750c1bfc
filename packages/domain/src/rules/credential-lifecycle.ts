/**
 * Rotating and revoking an issued credential (API client key K2, SCIM token S4) inside a write,
 * written once: the row is loaded (NOT_FOUND), the caller's own check runs before anything
 * changes, and the change is audited and evented under the credential's names.
 */
import type { CredentialRow } from '@gatehouse/db';
import { invalid } from '../errors.js';
import type { OrgWrite } from '../org-write.js';
import {
  type CredentialTable,
  credentialNoun,
  loadCredential,
  revokeCredential,
  rotateCredential,
} from './credential-rows.js';

/** What differs between the credentials an org issues. */
export interface CredentialKind {
  readonly table: CredentialTable;
  /** Audit entity type, and the prefix of its events (`api_client.rotated`). */
  readonly entityType: 'api_client' | 'scim_token';
  /** The key naming the credential in event payloads. */
  readonly idKey: 'clientId' | 'tokenId';
}

/** API clients' keys. */
export const API_CLIENT_KEYS: CredentialKind = {
  table: 'api_clients',
  entityType: 'api_client',
  idKey: 'clientId',
};

/** SCIM directory tokens. */
export const SCIM_TOKENS: CredentialKind = {
  table: 'scim_tokens',
  entityType: 'scim_token',
  idKey: 'tokenId',
};

/**
 * A new secret for credential `id` (INVALID once revoked); `authorize` runs after the row is
 * found and before it changes. The old secret stops working at once.
 */
export async function rotateIssued(
  w: OrgWrite,
  kind: CredentialKind,
  id: string,
  authorize: () => void = () => {},
): Promise<{ row: CredentialRow; secret: string }> {
  const before = await loadCredential(w, kind.table, id);
  if (before.revoked_at) throw invalid(`${credentialNoun(kind.table)} ${id} is revoked`);
  authorize();
  const out = await rotateCredential(w, kind.table, before);
  w.audit({ action: 'SecretRotated', entityType: kind.entityType, entityId: id, scopeId: w.orgId });
  w.emit(`${kind.entityType}.rotated`, { [kind.idKey]: id });
  return out;
}

/**
 * Revokes credential `id`; one already revoked is returned as it is (idempotent, nothing
 * audited). `authorize` runs after the row is found and before it changes.
 */
export async function revokeIssued(
  w: OrgWrite,
  kind: CredentialKind,
  id: string,
  authorize: () => void = () => {},
): Promise<CredentialRow> {
  const before = await loadCredential(w, kind.table, id);
  if (before.revoked_at) return before;
  authorize();
  const row = await revokeCredential(w, kind.table, before);
  w.audit({ action: 'Revoked', entityType: kind.entityType, entityId: id, scopeId: w.orgId });
  w.emit(`${kind.entityType}.revoked`, { [kind.idKey]: id });
  return row;
}

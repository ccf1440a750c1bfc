/** API clients (K1): bearer keys of an org with their own roles; the secret is shown once and stored hashed. */
import { type ApiClientRow, newId } from '@gatehouse/db';
import type { Caller } from '../context.js';
import { DomainError, invalid } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import { type OrgWrite, orgWrite, type WriteResult } from '../org-write.js';
import { hashSecret, secretMatches } from '../secrets.js';
import type { Services } from '../services.js';
import {
  credentialView,
  insertCredential,
  LAST_USED_RESOLUTION_MS,
  loadCredential,
  recordCredentialUse,
  revokeCredential,
  rotateCredential,
} from './credential-rows.js';
import {
  type AssignmentView,
  assertNoSlotClash,
  assignmentView,
  grantRole,
  type RoleAt,
} from './grants.js';

/** An API client as the API shows it (never its secret). */
export interface ApiClientView {
  readonly id: string;
  readonly name: string;
  /** The key's last four characters, to tell keys apart. */
  readonly secretHint: string;
  readonly createdAt: string;
  readonly rotatedAt: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
  readonly roles: readonly AssignmentView[];
}

/** A newly issued key: `key` is shown this once and never stored. */
export interface IssuedKey {
  readonly client: ApiClientView;
  readonly key: string;
}

function view(r: ApiClientRow, roles: readonly AssignmentView[]): ApiClientView {
  const { id, name, secretHint, createdAt, rotatedAt, revokedAt, lastUsedAt } = credentialView(r);
  return { id, name, secretHint, createdAt, rotatedAt, revokedAt, lastUsedAt, roles };
}

async function rolesOf(w: OrgWrite, id: string): Promise<AssignmentView[]> {
  const rows = await w.trx
    .selectFrom('assignments')
    .selectAll()
    .where('org_id', '=', w.orgId)
    .where('subject_id', '=', id)
    .orderBy('id')
    .execute();
  return rows.map(assignmentView);
}

/** K1: creates an API client with roles (`apiClients.manage` at the root; each role under R6). */
export async function createApiClient(
  s: Services,
  caller: Caller,
  orgId: string,
  input: { name: string; roles: readonly RoleAt[] },
): Promise<WriteResult<IssuedKey>> {
  return orgWrite(s, caller, orgId, async (w) => {
    w.authorize('apiClients.manage', orgId);
    if (!input.name.trim()) throw invalid('name must not be empty');
    assertNoSlotClash(w, input.roles);
    const id = newId('apiClient');
    const { row, secret: key } = await insertCredential(w, 'api_clients', id, input.name.trim());
    w.audit({
      action: 'Created',
      entityType: 'api_client',
      entityId: id,
      scopeId: orgId,
      after: { name: row.name },
    });
    w.emit('api_client.created', { clientId: id, name: row.name });
    for (const r of input.roles) await grantRole(w, { id, type: 'client' }, r);
    return { client: view(row, await rolesOf(w, id)), key };
  });
}

/** K1: issues a new secret; the old one stops working at once. */
export async function rotateApiClient(
  s: Services,
  caller: Caller,
  orgId: string,
  clientId: string,
): Promise<WriteResult<IssuedKey>> {
  return orgWrite(s, caller, orgId, async (w) => {
    w.authorize('apiClients.manage', orgId);
    const before = await loadCredential(w, 'api_clients', clientId);
    if (before.revoked_at) throw invalid(`API client ${clientId} is revoked`);
    // Whoever holds the new key acts as the client: only someone above it may mint one.
    w.authorizeTarget(clientId);
    const { row, secret: key } = await rotateCredential(w, 'api_clients', before);
    w.audit({
      action: 'SecretRotated',
      entityType: 'api_client',
      entityId: clientId,
      scopeId: orgId,
    });
    w.emit('api_client.rotated', { clientId });
    return { client: view(row, await rolesOf(w, clientId)), key };
  });
}

/** K1: revokes a client: its key stops working and every check for it is denied. */
export async function revokeApiClient(
  s: Services,
  caller: Caller,
  orgId: string,
  clientId: string,
): Promise<WriteResult<ApiClientView>> {
  return orgWrite(s, caller, orgId, async (w) => {
    w.authorize('apiClients.manage', orgId);
    const before = await loadCredential(w, 'api_clients', clientId);
    if (before.revoked_at) return view(before, await rolesOf(w, clientId));
    w.authorizeTarget(clientId);
    const row = await revokeCredential(w, 'api_clients', before);
    w.audit({ action: 'Revoked', entityType: 'api_client', entityId: clientId, scopeId: orgId });
    w.emit('api_client.revoked', { clientId });
    return view(row, await rolesOf(w, clientId));
  });
}

/** K1: the org's API clients with their roles and last use (`apiClients.read`). */
export async function listApiClients(
  s: Services,
  caller: Caller,
  orgId: string,
): Promise<ApiClientView[]> {
  await authorizeRead(s, caller, orgId, 'apiClients.read', orgId);
  const rows = await s.db
    .selectFrom('api_clients')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('id')
    .execute();
  const roles = await s.db
    .selectFrom('assignments')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('subject_type', '=', 'client')
    .execute();
  return rows.map((r) => view(r, roles.filter((a) => a.subject_id === r.id).map(assignmentView)));
}

/**
 * Resolves a bearer API key to its client, or throws UNAUTHENTICATED. Records last use at most
 * once a minute.
 */
export async function authenticateApiKey(
  s: Services,
  key: string,
): Promise<{ orgId: string; clientId: string; name: string }> {
  const hash = hashSecret(key);
  const cache = keyCacheOf(s);
  const hit = cache.get(hash);
  if (hit && isFresh(s, hit)) return hit.client;
  const dot = key.indexOf('.');
  const id = dot > 0 ? key.slice(0, dot) : '';
  const row = id.startsWith('cli_')
    ? await s.db
        .selectFrom('api_clients')
        .innerJoin('orgs', 'orgs.id', 'api_clients.org_id')
        .selectAll('api_clients')
        .select('orgs.revision')
        .where('api_clients.id', '=', id)
        .executeTakeFirst()
    : undefined;
  if (!row || !secretMatches(key, row.secret_hash)) {
    cache.delete(hash);
    throw new DomainError('UNAUTHENTICATED', 'invalid API key');
  }
  if (row.revoked_at) throw new DomainError('UNAUTHENTICATED', `API client ${id} is revoked`);
  const now = Date.now();
  await recordCredentialUse(s.db, 'api_clients', row, now);
  const client = { orgId: row.org_id, clientId: row.id, name: row.name };
  s.engines.noteRevision(row.org_id, row.revision);
  if (cache.size >= KEY_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(hash, { client, revision: row.revision, epoch: s.engines.epoch, at: now });
  return client;
}

/**
 * Verified keys, so a request does not cost a database round trip. An entry holds while its org
 * has not moved past the revision it was verified at (rotate and revoke are writes, so they bump
 * it; other processes hear of it by NOTIFY), no notices were missed, and for at most a minute.
 */
interface KeyCacheEntry {
  readonly client: { orgId: string; clientId: string; name: string };
  readonly revision: number;
  readonly epoch: number;
  readonly at: number;
}
const KEY_CACHE_SIZE = 10_000;
const keyCaches = new WeakMap<Services, Map<string, KeyCacheEntry>>();

function keyCacheOf(s: Services): Map<string, KeyCacheEntry> {
  let c = keyCaches.get(s);
  if (!c) {
    c = new Map();
    keyCaches.set(s, c);
  }
  return c;
}

function isFresh(s: Services, e: KeyCacheEntry): boolean {
  return (
    e.epoch === s.engines.epoch &&
    (s.engines.knownRevision(e.client.orgId) ?? e.revision) <= e.revision &&
    Date.now() - e.at < LAST_USED_RESOLUTION_MS
  );
}

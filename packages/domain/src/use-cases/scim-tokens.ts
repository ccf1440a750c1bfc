/**
 * SCIM directory tokens (S4): bearer tokens an org's identity provider provisions with. Created,
 * rotated and revoked by holders of `scim.manage` at the org root; the token is shown once and
 * stored as a SHA-256 hash (DESIGN "Secrets"). A token reaches its own org only.
 */
import { expandPatterns } from '@gatehouse/core';
import { newId, type ScimTokenRow } from '@gatehouse/db';
import type { Caller } from '../context.js';
import { DomainError, invalid } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import { type OrgWrite, orgWrite, type WriteResult } from '../org-write.js';
import { secretMatches } from '../secrets.js';
import type { Services } from '../services.js';
import {
  credentialView,
  insertCredential,
  loadCredential,
  recordCredentialUse,
  revokeCredential,
  rotateCredential,
} from './credential-rows.js';

/** A SCIM token as the API shows it (never the secret). */
export interface ScimTokenView {
  readonly id: string;
  readonly orgId: string;
  readonly name: string;
  /** The token's last four characters, to tell tokens apart. */
  readonly secretHint: string;
  readonly createdAt: string;
  readonly rotatedAt: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

/** A newly issued token: `token` is shown this once and never stored. */
export interface IssuedScimToken {
  readonly scimToken: ScimTokenView;
  readonly token: string;
}

/**
 * `scim.manage` at the root, and more: a SCIM directory deactivates, re-emails and regroups any
 * member, so its token stands above every role of the org. Only an actor holding, at the root,
 * every permission any role of the org carries may create, rotate or revoke one.
 */
function authorizeDirectoryAdmin(w: OrgWrite): void {
  w.authorize('scim.manage', w.orgId);
  const perms = w.engine.snapshot.permissions;
  const all = new Set<string>();
  for (const r of w.engine.snapshot.roles) {
    for (const name of expandPatterns(perms, r.permissions).names) all.add(name);
  }
  w.authorizeHolding(all, w.orgId);
}

function view(r: ScimTokenRow): ScimTokenView {
  return { ...credentialView(r), orgId: r.org_id };
}

/**
 * S4: issues a SCIM token for the org (`scim.manage` at the root).
 *
 * @example
 * const { result } = await createScimToken(services, caller, orgId, { name: 'Entra ID' });
 * // hand result.token to the identity provider, with the URL `${base}/scim/v2`
 */
export async function createScimToken(
  s: Services,
  caller: Caller,
  orgId: string,
  input: { name?: string | undefined } = {},
): Promise<WriteResult<IssuedScimToken>> {
  return orgWrite(s, caller, orgId, async (w) => {
    authorizeDirectoryAdmin(w);
    const name = (input.name ?? 'SCIM directory').trim();
    if (!name) throw invalid('name must not be empty');
    const id = newId('scimToken');
    const { row, secret: token } = await insertCredential(w, 'scim_tokens', id, name);
    w.audit({
      action: 'Created',
      entityType: 'scim_token',
      entityId: id,
      scopeId: orgId,
      after: { name },
    });
    w.emit('scim_token.created', { tokenId: id, name });
    return { scimToken: view(row), token };
  });
}

/** S4: replaces a token's secret; the old one stops working at once. */
export async function rotateScimToken(
  s: Services,
  caller: Caller,
  orgId: string,
  tokenId: string,
): Promise<WriteResult<IssuedScimToken>> {
  return orgWrite(s, caller, orgId, async (w) => {
    authorizeDirectoryAdmin(w);
    const before = await loadCredential(w, 'scim_tokens', tokenId);
    if (before.revoked_at) throw invalid(`SCIM token ${tokenId} is revoked`);
    const { row, secret: token } = await rotateCredential(w, 'scim_tokens', before);
    w.audit({
      action: 'SecretRotated',
      entityType: 'scim_token',
      entityId: tokenId,
      scopeId: orgId,
    });
    w.emit('scim_token.rotated', { tokenId });
    return { scimToken: view(row), token };
  });
}

/** S4: revokes a token; requests with it are refused from then on. Idempotent. */
export async function revokeScimToken(
  s: Services,
  caller: Caller,
  orgId: string,
  tokenId: string,
): Promise<WriteResult<ScimTokenView>> {
  return orgWrite(s, caller, orgId, async (w) => {
    authorizeDirectoryAdmin(w);
    const before = await loadCredential(w, 'scim_tokens', tokenId);
    if (before.revoked_at) return view(before);
    const row = await revokeCredential(w, 'scim_tokens', before);
    w.audit({ action: 'Revoked', entityType: 'scim_token', entityId: tokenId, scopeId: orgId });
    w.emit('scim_token.revoked', { tokenId });
    return view(row);
  });
}

/** S4: the org's SCIM tokens (`scim.manage`). */
export async function listScimTokens(
  s: Services,
  caller: Caller,
  orgId: string,
): Promise<ScimTokenView[]> {
  await authorizeRead(s, caller, orgId, 'scim.manage', orgId);
  const rows = await s.db
    .selectFrom('scim_tokens')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('id')
    .execute();
  return rows.map(view);
}

/**
 * Resolves a presented SCIM bearer token to its org, or throws UNAUTHENTICATED (revoked,
 * rotated away, unknown or malformed). Compared in constant time; records last use at most
 * once a minute.
 */
export async function authenticateScimToken(
  s: Services,
  token: string,
): Promise<{ orgId: string; tokenId: string; name: string }> {
  const dot = token.indexOf('.');
  const id = dot > 0 && dot <= 64 ? token.slice(0, dot) : '';
  const row = /^sct_[0-9a-z]{1,60}$/.test(id)
    ? await s.db.selectFrom('scim_tokens').selectAll().where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!row || token.length > 200 || !secretMatches(token, row.secret_hash)) {
    throw new DomainError('UNAUTHENTICATED', 'invalid SCIM token');
  }
  if (row.revoked_at) throw new DomainError('UNAUTHENTICATED', `SCIM token ${id} is revoked`);
  await recordCredentialUse(s.db, 'scim_tokens', row, Date.now());
  return { orgId: row.org_id, tokenId: row.id, name: row.name };
}

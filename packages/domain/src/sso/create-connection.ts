/** I1: add an OpenID Connect connection to an org. */
import { newId } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { invalid } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import {
  authorizeConnectionAdmin,
  authorizeDefaultRole,
  checkIssuer,
  checkScopes,
  connectionView,
  DEFAULT_SSO_CLAIMS,
  type SsoClaimNames,
  type SsoConnectionView,
  sealClientSecret,
  secretKeyOf,
} from './connection-view.js';

/** What a new connection is made of. */
export interface SsoConnectionInput {
  readonly name: string;
  /** The IdP's issuer URL; its `/.well-known/openid-configuration` is read at sign-in. */
  readonly issuer: string;
  readonly clientId: string;
  /** Stored sealed under the instance secret key; never returned. */
  readonly clientSecret: string;
  readonly scopes?: readonly string[] | undefined;
  readonly claims?: Partial<SsoClaimNames> | undefined;
  readonly defaultRole?: string | null | undefined;
  readonly defaultScopeId?: string | null | undefined;
  /** Default true. A disabled connection signs nobody in, but can be tested. */
  readonly enabled?: boolean | undefined;
}

export const checkName = (name: string): string => {
  const n = name.trim();
  if (!n) throw invalid('name must not be empty');
  return n;
};

/**
 * I1: creates an OIDC connection (`sso.manage` and holding every permission of the org at the
 * root; the default role must be one the caller may give).
 *
 * @example
 * const { result } = await createSsoConnection(call, {
 *   name: 'Okta', issuer: 'https://acme.okta.com', clientId: '0oa…', clientSecret: '…',
 * });
 */
export async function createSsoConnection(
  call: OrgCall,
  input: SsoConnectionInput,
): Promise<WriteResult<SsoConnectionView>> {
  const key = await secretKeyOf(call.services);
  return orgWrite(call, async (w) => {
    authorizeConnectionAdmin(w);
    const at = { role: input.defaultRole ?? null, scopeId: input.defaultScopeId ?? null };
    authorizeDefaultRole(w, at);
    const id = newId('ssoConnection');
    const claims = { ...DEFAULT_SSO_CLAIMS, ...input.claims };
    const row = await w.trx
      .insertInto('sso_connections')
      .values({
        org_id: w.orgId,
        id,
        name: checkName(input.name),
        protocol: 'oidc',
        issuer: checkIssuer(input.issuer),
        client_id: input.clientId,
        client_secret_sealed: sealClientSecret(key, { orgId: w.orgId, id }, input.clientSecret),
        scopes: checkScopes(input.scopes),
        claims: JSON.stringify(claims),
        default_role: at.role,
        default_scope_id: at.scopeId,
        enabled: input.enabled ?? true,
        updated_at: new Date(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = connectionView(row, []);
    const { groupMappings: _, createdAt: _c, updatedAt: _u, ...after } = view;
    w.audit({
      action: 'Created',
      entityType: 'sso_connection',
      entityId: id,
      scopeId: w.orgId,
      after,
    });
    w.emit('sso.connection.created', { connectionId: id, name: view.name });
    return view;
  });
}

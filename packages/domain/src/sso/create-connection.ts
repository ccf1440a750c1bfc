/** I1: add an OpenID Connect connection to an org. */
import { newId } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import {
  type ConnectionCommonInput,
  connectionSummary,
  defaultRoleAt,
  newCommonColumns,
} from './connection-common.js';
import {
  authorizeConnectionAdmin,
  authorizeDefaultRole,
  checkIssuer,
  checkScopes,
  connectionView,
  type SsoConnectionView,
  sealClientSecret,
  secretKeyOf,
} from './connection-view.js';

/** What a new connection is made of. */
export interface SsoConnectionInput extends ConnectionCommonInput {
  /** The IdP's issuer URL; its `/.well-known/openid-configuration` is read at sign-in. */
  readonly issuer: string;
  readonly clientId: string;
  /** Stored sealed under the instance secret key; never returned. */
  readonly clientSecret: string;
  readonly scopes?: readonly string[] | undefined;
}

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
    const at = defaultRoleAt(input);
    authorizeDefaultRole(w, at);
    const id = newId('ssoConnection');
    const row = await w.trx
      .insertInto('sso_connections')
      .values({
        org_id: w.orgId,
        id,
        ...newCommonColumns(input, at),
        protocol: 'oidc',
        issuer: checkIssuer(input.issuer),
        client_id: input.clientId,
        client_secret_sealed: sealClientSecret(key, { orgId: w.orgId, id }, input.clientSecret),
        scopes: checkScopes(input.scopes),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = connectionView(row, []);
    w.audit({
      action: 'Created',
      entityType: 'sso_connection',
      entityId: id,
      scopeId: w.orgId,
      after: connectionSummary(view),
    });
    w.emit('sso.connection.created', { connectionId: id, name: view.name });
    return view;
  });
}

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
import { checkIssuerOrWarn } from './oidc-issuer.js';

/** What a new connection is made of. */
export interface SsoConnectionInput extends ConnectionCommonInput {
  /** The IdP's issuer URL; its `/.well-known/openid-configuration` is read at sign-in. */
  readonly issuer: string;
  readonly clientId: string;
  /** Stored sealed under the instance secret key; never returned. */
  readonly clientSecret: string;
  readonly scopes?: readonly string[] | undefined;
  /**
   * Save the connection even when the issuer's discovery document cannot be read or is wrong
   * (an IdP not reachable from here yet); the answer's `warnings` say what failed.
   */
  readonly ignoreIssuerErrors?: boolean | undefined;
}

/** A connection write's result, with what the issuer check found when it was told to go on. */
export interface SsoConnectionWrite extends WriteResult<SsoConnectionView> {
  readonly warnings: readonly string[];
}

/**
 * I1: creates an OIDC connection (`sso.manage` and holding every permission of the org at the
 * root; the default role must be one the caller may give). The issuer's discovery document is
 * fetched first: INVALID when it cannot be read or names another issuer, unless
 * `ignoreIssuerErrors` (then `warnings` says why).
 *
 * @example
 * const { result } = await createSsoConnection(call, {
 *   name: 'Okta', issuer: 'https://acme.okta.com', clientId: '0oa…', clientSecret: '…',
 * });
 */
export async function createSsoConnection(
  call: OrgCall,
  input: SsoConnectionInput,
): Promise<SsoConnectionWrite> {
  const key = await secretKeyOf(call.services);
  const warnings = await checkIssuerOrWarn(call, {
    issuer: checkIssuer(input.issuer),
    clientId: input.clientId,
    ignore: input.ignoreIssuerErrors === true,
  });
  const written = await orgWrite(call, async (w) => {
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
  return { ...written, warnings };
}

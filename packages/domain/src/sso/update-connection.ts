/** I1: change, enable or disable an OIDC connection, or replace its client secret. */
import type { OrgCall } from '../call.js';
import { invalid } from '../errors.js';
import { orgWrite } from '../org-write.js';
import { changedCommonColumns, connectionSummary, defaultRoleAt } from './connection-common.js';
import {
  authorizeConnectionAdmin,
  authorizeDefaultRole,
  checkIssuer,
  checkScopes,
  connectionView,
  loadConnection,
  loadMappings,
  sealClientSecret,
  secretKeyOf,
} from './connection-view.js';
import type { SsoConnectionInput, SsoConnectionWrite } from './create-connection.js';
import { checkIssuerOrWarn } from './oidc-issuer.js';

/** What may change (absent: unchanged). */
export type SsoConnectionChanges = Partial<SsoConnectionInput> & {
  readonly connectionId: string;
};

/**
 * I1: updates a connection (as creating one is authorized); `enabled: false` stops sign-ins at
 * once, `clientSecret` replaces the sealed secret (the audit entry says only that it changed).
 * A new issuer (or client id) is checked as at creation (`ignoreIssuerErrors`, `warnings`).
 */
export async function updateSsoConnection(
  call: OrgCall,
  input: SsoConnectionChanges,
): Promise<SsoConnectionWrite> {
  const key = input.clientSecret === undefined ? null : await secretKeyOf(call.services);
  const warnings =
    input.issuer === undefined
      ? []
      : await checkIssuerOrWarn(call, {
          issuer: checkIssuer(input.issuer),
          clientId: input.clientId ?? 'gatehouse',
          ignore: input.ignoreIssuerErrors === true,
        });
  const written = await orgWrite(call, async (w) => {
    authorizeConnectionAdmin(w);
    const cur = await loadConnection(w.trx, w.orgId, input.connectionId);
    if (cur.protocol !== 'oidc') {
      throw invalid(`SSO connection ${cur.id} is a SAML connection: send protocol 'saml'`);
    }
    const at = defaultRoleAt(input, cur);
    authorizeDefaultRole(w, at);
    const row = await w.trx
      .updateTable('sso_connections')
      .set({
        ...changedCommonColumns(input, cur, at),
        ...(input.issuer !== undefined && { issuer: checkIssuer(input.issuer) }),
        ...(input.clientId !== undefined && { client_id: input.clientId }),
        ...(key &&
          input.clientSecret !== undefined && {
            client_secret_sealed: sealClientSecret(
              key,
              { orgId: w.orgId, id: cur.id },
              input.clientSecret,
            ),
          }),
        ...(input.scopes !== undefined && { scopes: checkScopes(input.scopes) }),
      })
      .where('org_id', '=', w.orgId)
      .where('id', '=', cur.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const mappings = await loadMappings(w.trx, w.orgId, cur.id);
    const before = connectionView(cur, mappings);
    const view = connectionView(row, mappings);
    w.audit({
      action: 'Updated',
      entityType: 'sso_connection',
      entityId: cur.id,
      scopeId: w.orgId,
      before: connectionSummary(before),
      after: { ...connectionSummary(view), ...(key ? { clientSecret: 'replaced' } : {}) },
    });
    w.emit('sso.connection.updated', { connectionId: cur.id, enabled: view.enabled });
    return view;
  });
  return { ...written, warnings };
}

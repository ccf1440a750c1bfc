/** I1: change, enable or disable an OIDC connection, or replace its client secret. */
import type { OrgCall } from '../call.js';
import { invalid } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import {
  authorizeConnectionAdmin,
  authorizeDefaultRole,
  checkIssuer,
  checkScopes,
  claimNamesOf,
  connectionView,
  loadConnection,
  loadMappings,
  type SsoConnectionView,
  sealClientSecret,
  secretKeyOf,
} from './connection-view.js';
import { checkName, type SsoConnectionInput } from './create-connection.js';

/** What may change (absent: unchanged). */
export type SsoConnectionChanges = Partial<SsoConnectionInput> & {
  readonly connectionId: string;
};

const summary = (v: SsoConnectionView) => {
  const { groupMappings: _, createdAt: _c, updatedAt: _u, ...rest } = v;
  return rest;
};

/**
 * I1: updates a connection (as creating one is authorized); `enabled: false` stops sign-ins at
 * once, `clientSecret` replaces the sealed secret (the audit entry says only that it changed).
 */
export async function updateSsoConnection(
  call: OrgCall,
  input: SsoConnectionChanges,
): Promise<WriteResult<SsoConnectionView>> {
  const key = input.clientSecret === undefined ? null : await secretKeyOf(call.services);
  return orgWrite(call, async (w) => {
    authorizeConnectionAdmin(w);
    const cur = await loadConnection(w.trx, w.orgId, input.connectionId);
    if (cur.protocol !== 'oidc') {
      throw invalid(`SSO connection ${cur.id} is a SAML connection: send protocol 'saml'`);
    }
    const at = {
      role: input.defaultRole === undefined ? cur.default_role : input.defaultRole,
      scopeId: input.defaultScopeId === undefined ? cur.default_scope_id : input.defaultScopeId,
    };
    authorizeDefaultRole(w, at);
    const row = await w.trx
      .updateTable('sso_connections')
      .set({
        ...(input.name !== undefined && { name: checkName(input.name) }),
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
        ...(input.claims !== undefined && {
          claims: JSON.stringify({ ...claimNamesOf(cur), ...input.claims }),
        }),
        ...(input.enabled !== undefined && { enabled: input.enabled }),
        default_role: at.role,
        default_scope_id: at.scopeId,
        updated_at: new Date(),
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
      before: summary(before),
      after: { ...summary(view), ...(key ? { clientSecret: 'replaced' } : {}) },
    });
    w.emit('sso.connection.updated', { connectionId: cur.id, enabled: view.enabled });
    return view;
  });
}

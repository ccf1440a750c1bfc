/**
 * I1: change a SAML connection: its IdP (metadata XML or URL, certificates: rotation), SP key,
 * options.
 */
import type { OrgCall } from '../call.js';
import { invalid } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { changedCommonColumns, connectionSummary, defaultRoleAt } from './connection-common.js';
import {
  authorizeConnectionAdmin,
  authorizeDefaultRole,
  connectionView,
  loadConnection,
  loadMappings,
  loadSamlSettings,
  type SsoConnectionView,
  secretKeyOf,
} from './connection-view.js';
import { fetchMetadataUrl, type SamlConnectionInput } from './create-saml-connection.js';
import { samlSettingsOf } from './saml-settings.js';

/** What may change (absent: unchanged). */
export type SamlConnectionChanges = Partial<SamlConnectionInput> & {
  readonly connectionId: string;
};

/**
 * I1: updates a SAML connection (authorized as creating one). `idpCertificates` replaces the
 * list: rotate by giving the old and new certificate, then the new one alone. A new SP key is
 * sealed; the audit entry says only that it was replaced.
 */
export async function updateSamlConnection(
  call: OrgCall,
  input: SamlConnectionChanges,
): Promise<WriteResult<SsoConnectionView>> {
  const key = await secretKeyOf(call.services);
  const fetched = await fetchMetadataUrl(call, input.metadataUrl);
  return orgWrite(call, async (w) => {
    authorizeConnectionAdmin(w);
    const cur = await loadConnection(w.trx, w.orgId, input.connectionId);
    if (cur.protocol !== 'saml') {
      throw invalid(`SSO connection ${cur.id} is an OIDC connection: send protocol 'oidc'`);
    }
    const curSaml = await loadSamlSettings(w.trx, w.orgId, cur.id);
    const at = defaultRoleAt(input, cur);
    authorizeDefaultRole(w, at);
    const settings = samlSettingsOf(
      input,
      { key, orgId: w.orgId, id: cur.id, defaultSpEntityId: curSaml.sp_entity_id },
      curSaml,
      fetched,
    );
    const row = await w.trx
      .updateTable('sso_connections')
      .set(changedCommonColumns(input, cur, at))
      .where('org_id', '=', w.orgId)
      .where('id', '=', cur.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const saml = await w.trx
      .updateTable('sso_saml_settings')
      .set(settings)
      .where('org_id', '=', w.orgId)
      .where('connection_id', '=', cur.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const mappings = await loadMappings(w.trx, w.orgId, cur.id);
    const services = call.services;
    const before = connectionView(cur, mappings, { settings: curSaml, services });
    const view = connectionView(row, mappings, { settings: saml, services });
    w.audit({
      action: 'Updated',
      entityType: 'sso_connection',
      entityId: cur.id,
      scopeId: w.orgId,
      before: connectionSummary(before),
      after: {
        ...connectionSummary(view),
        ...(input.spPrivateKey !== undefined ? { spPrivateKey: 'replaced' } : {}),
      },
    });
    w.emit('sso.connection.updated', { connectionId: cur.id, enabled: view.enabled });
    return view;
  });
}

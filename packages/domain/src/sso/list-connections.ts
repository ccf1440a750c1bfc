/** I1: an org's SSO connections and its redirect allowlist (`sso.read`). */
import type { OrgCall } from '../call.js';
import { authorizeRead } from '../org-read.js';
import {
  connectionView,
  loadConnection,
  loadConnectionView,
  type SsoConnectionView,
} from './connection-view.js';

/** The org's connections, oldest first (`sso.read` at the root). */
export async function listSsoConnections(call: OrgCall): Promise<SsoConnectionView[]> {
  const { orgId, services: s } = call;
  await authorizeRead(call, 'sso.read', orgId);
  const rows = await s.db
    .selectFrom('sso_connections')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('id')
    .execute();
  const mappings = await s.db
    .selectFrom('sso_group_mappings')
    .select(['connection_id', 'idp_group', 'group_id'])
    .where('org_id', '=', orgId)
    .orderBy('idp_group')
    .execute();
  const saml = await s.db
    .selectFrom('sso_saml_settings')
    .selectAll()
    .where('org_id', '=', orgId)
    .execute();
  return rows.map((r) => {
    const settings = saml.find((x) => x.connection_id === r.id);
    return connectionView(
      r,
      mappings
        .filter((m) => m.connection_id === r.id)
        .map((m) => ({ idpGroup: m.idp_group, groupId: m.group_id })),
      settings && { settings, services: s },
    );
  });
}

/** One connection (`sso.read` at the root). */
export async function getSsoConnection(
  call: OrgCall,
  input: { connectionId: string },
): Promise<SsoConnectionView> {
  const { orgId, services: s } = call;
  await authorizeRead(call, 'sso.read', orgId);
  const row = await loadConnection(s.db, orgId, input.connectionId);
  return loadConnectionView(s, s.db, row);
}

/** The org's allowlist of adopter redirect URIs (`sso.read` at the root). */
export async function listSsoRedirectUris(call: OrgCall): Promise<string[]> {
  const { orgId, services: s } = call;
  await authorizeRead(call, 'sso.read', orgId);
  const rows = await s.db
    .selectFrom('sso_redirect_uris')
    .select('uri')
    .where('org_id', '=', orgId)
    .orderBy('uri')
    .execute();
  return rows.map((r) => r.uri);
}

/** I1: add a SAML 2.0 connection to an org. */
import { newId } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { authorizeRead } from '../org-read.js';
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
  connectionView,
  type SsoConnectionView,
  samlEndpoints,
  secretKeyOf,
} from './connection-view.js';
import { type FetchedSamlMetadata, fetchSamlMetadata } from './saml-metadata-url.js';
import { type SamlSettingsInput, samlSettingsOf } from './saml-settings.js';

/** What a new SAML connection is made of. */
export interface SamlConnectionInput extends SamlSettingsInput, ConnectionCommonInput {}

/**
 * I1: creates a SAML connection, authorized as an OIDC one (`sso.manage`, holding every
 * permission of the org; a default role the caller may give). The IdP side comes from its
 * metadata XML, its metadata URL (fetched now: INVALID when it cannot be) or field by field; the
 * SP entity id defaults to the SP metadata URL.
 *
 * @example
 * const { result } = await createSamlConnection(call, { name: 'Okta', metadataXml });
 * // give the IdP result.metadataUrl (or result.acsUrl and result.spEntityId)
 */
export async function createSamlConnection(
  call: OrgCall,
  input: SamlConnectionInput,
): Promise<WriteResult<SsoConnectionView>> {
  const key = await secretKeyOf(call.services);
  const fetched = await fetchMetadataUrl(call, input.metadataUrl);
  return orgWrite(call, async (w) => {
    authorizeConnectionAdmin(w);
    const at = defaultRoleAt(input);
    authorizeDefaultRole(w, at);
    const id = newId('ssoConnection');
    const settings = samlSettingsOf(
      input,
      {
        key,
        orgId: w.orgId,
        id,
        defaultSpEntityId: samlEndpoints(call.services, id).metadataUrl,
      },
      undefined,
      fetched,
    );
    const row = await w.trx
      .insertInto('sso_connections')
      .values({
        org_id: w.orgId,
        id,
        ...newCommonColumns(input, at),
        protocol: 'saml',
        issuer: null,
        client_id: null,
        client_secret_sealed: null,
        scopes: [],
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const saml = await w.trx
      .insertInto('sso_saml_settings')
      .values({ org_id: w.orgId, connection_id: id, ...settings })
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = connectionView(row, [], { settings: saml, services: call.services });
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

/**
 * Fetches a metadata URL a write names (null when it names none), after checking that the
 * caller may manage connections at all, so that nobody else makes the server fetch a URL. The
 * write checks everything again in its transaction; the fetch stays outside it.
 */
export async function fetchMetadataUrl(
  call: OrgCall,
  url: string | null | undefined,
): Promise<FetchedSamlMetadata | null> {
  if (typeof url !== 'string') return null;
  await authorizeRead(call, 'sso.manage', call.orgId);
  return fetchSamlMetadata(call.services, url);
}

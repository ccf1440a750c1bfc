/**
 * I1: a SAML connection whose IdP settings come from a metadata URL reads it again: the entity
 * id, SSO URL and signing certificates are replaced by what the IdP publishes now (a rotated
 * certificate is picked up). Asked for by an admin (`sso.refreshSamlMetadata`, authorized as
 * updating the connection, one audited write), or by the server's background refresh
 * (./saml-metadata-job.ts).
 */
import type { SsoSamlSettingsRow } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { conflict, invalid } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import {
  authorizeConnectionAdmin,
  connectionView,
  loadConnection,
  loadMappings,
  loadSamlSettings,
  type SsoConnectionView,
} from './connection-view.js';
import { certificateView } from './saml-metadata.js';
import { type FetchedSamlMetadata, fetchSamlMetadata } from './saml-metadata-url.js';

/** What a refresh did. */
export interface SamlMetadataRefresh {
  readonly connection: SsoConnectionView;
  /** The IdP settings the metadata changed (`idpEntityId`, `idpSsoUrl`, `idpCertificates`). */
  readonly changed: readonly string[];
}

/** The IdP settings a fetched document gives over `cur`, and which of them differ. */
export function metadataChanges(cur: SsoSamlSettingsRow, fetched: FetchedSamlMetadata) {
  const m = fetched.metadata;
  const changed: string[] = [];
  if (m.entityId !== cur.idp_entity_id) changed.push('idpEntityId');
  if (m.ssoUrl !== cur.idp_sso_url) changed.push('idpSsoUrl');
  const before = new Set(cur.idp_certs);
  if (m.certificates.length !== before.size || m.certificates.some((c) => !before.has(c))) {
    changed.push('idpCertificates');
  }
  return {
    changed,
    set: {
      idp_entity_id: m.entityId,
      idp_sso_url: m.ssoUrl,
      idp_certs: [...m.certificates].slice(0, 10),
      metadata_checked_at: fetched.at,
      metadata_refreshed_at: fetched.at,
      metadata_error: null,
    },
  };
}

/** What an audit entry records of a connection's IdP side (certificates by fingerprint). */
export const idpSideOf = (
  x: Pick<SsoSamlSettingsRow, 'idp_entity_id' | 'idp_sso_url' | 'idp_certs'>,
) => ({
  idpEntityId: x.idp_entity_id,
  idpSsoUrl: x.idp_sso_url,
  idpCertificates: x.idp_certs.map((c) => certificateView(c).fingerprint),
});

/**
 * Fetches the connection's metadata URL and applies it (authorized as updating a connection).
 * INVALID when the connection is not SAML or has no metadata URL, or when the fetch fails (then
 * nothing changes); CONFLICT when the URL was changed while it was fetched. Audited as
 * `MetadataRefreshed` with the IdP side before and after, even when nothing changed.
 *
 * @example
 * const { result } = await refreshSamlMetadata(call, { connectionId: 'ssoc_…' });
 * result.changed; // ['idpCertificates'] after the IdP rotated its key
 */
export async function refreshSamlMetadata(
  call: OrgCall,
  input: { connectionId: string },
): Promise<WriteResult<SamlMetadataRefresh>> {
  const s = call.services;
  await authorizeRead(call, 'sso.manage', call.orgId);
  const row = await loadConnection(s.db, call.orgId, input.connectionId);
  if (row.protocol !== 'saml') throw invalid(`SSO connection ${row.id} is not a SAML connection`);
  const settings = await loadSamlSettings(s.db, call.orgId, row.id);
  if (!settings.metadata_url) {
    throw invalid(`SSO connection ${row.id} has no metadata URL (set metadataUrl first)`);
  }
  const fetched = await fetchSamlMetadata(s, settings.metadata_url);
  return orgWrite(call, async (w) => {
    authorizeConnectionAdmin(w);
    const cur = await loadConnection(w.trx, w.orgId, row.id);
    const x = await loadSamlSettings(w.trx, w.orgId, row.id);
    if (x.metadata_url !== fetched.url) {
      throw conflict(`the metadata URL of ${row.id} changed while it was fetched: refresh again`);
    }
    const { changed, set } = metadataChanges(x, fetched);
    const saml = await w.trx
      .updateTable('sso_saml_settings')
      .set(set)
      .where('org_id', '=', w.orgId)
      .where('connection_id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = connectionView(cur, await loadMappings(w.trx, w.orgId, row.id), {
      settings: saml,
      services: s,
    });
    w.audit({
      action: 'MetadataRefreshed',
      entityType: 'sso_connection',
      entityId: row.id,
      scopeId: w.orgId,
      before: idpSideOf(x),
      after: { ...idpSideOf(saml), metadataUrl: fetched.url, changed },
    });
    w.emit('sso.connection.updated', { connectionId: row.id, enabled: view.enabled });
    return { connection: view, changed };
  });
}

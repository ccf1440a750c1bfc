/**
 * The SAML settings a create or update writes: the IdP side given one by one, from its metadata
 * XML, or from its metadata URL (in that order of precedence), the SP decryption key checked
 * against its certificate and sealed under the instance key.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { SsoSamlSettingsRow } from '@gatehouse/db';
import { invalid } from '../errors.js';
import { type SecretKey, sealSecret } from '../rules/index.js';
import { samlKeyContext } from './connection-view.js';
import {
  checkCertificate,
  checkEntityId,
  checkSamlUrl,
  parseSamlIdpMetadata,
} from './saml-metadata.js';
import type { FetchedSamlMetadata } from './saml-metadata-url.js';

/** The SAML settings a caller may give (absent: from the metadata, or unchanged). */
export interface SamlSettingsInput {
  /** The IdP's metadata XML: entity id, HTTP-Redirect SSO URL and signing certificates. */
  readonly metadataXml?: string | undefined;
  /**
   * Where the IdP publishes its metadata (https): fetched now, and again by
   * `sso.refreshSamlMetadata` and the server's background refresh, each time replacing the
   * entity id, SSO URL and certificates. `null` forgets the URL (the settings stay).
   */
  readonly metadataUrl?: string | null | undefined;
  readonly idpEntityId?: string | undefined;
  readonly idpSsoUrl?: string | undefined;
  /**
   * The IdP's signing certificates (PEM or base64), replacing the list. To rotate: give the old
   * and the new one, and the new one alone once the IdP signs with it.
   */
  readonly idpCertificates?: readonly string[] | undefined;
  /** The entity id Gatehouse answers as; default `<public URL>/sso/saml/<id>/metadata`. */
  readonly spEntityId?: string | undefined;
  /** Require encrypted assertions; needs `spPrivateKey` and `spCertificate`. */
  readonly wantEncryptedAssertions?: boolean | undefined;
  /** The SP decryption key (PEM); sealed, never returned. */
  readonly spPrivateKey?: string | undefined;
  /** The SP encryption certificate (PEM), published in the SP metadata. */
  readonly spCertificate?: string | undefined;
  /** Accept IdP-initiated (unsolicited) responses; default false. */
  readonly allowIdpInitiated?: boolean | undefined;
}

type Settings = Omit<SsoSamlSettingsRow, 'org_id' | 'connection_id'>;

/**
 * The settings after `input` (over `cur` when updating). `fetched` is what `input.metadataUrl`
 * gave (the caller fetched it before its transaction). INVALID when incomplete or wrong.
 */
export function samlSettingsOf(
  input: SamlSettingsInput,
  ctx: { key: SecretKey; orgId: string; id: string; defaultSpEntityId: string },
  cur?: Settings,
  fetched?: FetchedSamlMetadata | null,
): Settings {
  const meta = input.metadataXml !== undefined ? parseSamlIdpMetadata(input.metadataXml) : null;
  const byUrl = fetched?.metadata;
  const idpEntityId = input.idpEntityId ?? meta?.entityId ?? byUrl?.entityId ?? cur?.idp_entity_id;
  const idpSsoUrl = input.idpSsoUrl ?? meta?.ssoUrl ?? byUrl?.ssoUrl ?? cur?.idp_sso_url;
  const certs =
    input.idpCertificates ?? meta?.certificates ?? byUrl?.certificates ?? cur?.idp_certs;
  if (!idpEntityId) throw invalid('idpEntityId (or metadataXml, or metadataUrl) is required');
  if (!idpSsoUrl) throw invalid('idpSsoUrl (or metadataXml, or metadataUrl) is required');
  if (!certs || certs.length === 0) throw invalid('at least one IdP certificate is required');
  if (certs.length > 10) throw invalid('at most 10 IdP certificates');
  let spKeySealed = cur?.sp_key_sealed ?? null;
  let spCert = cur?.sp_cert ?? null;
  if (input.spPrivateKey !== undefined || input.spCertificate !== undefined) {
    if (input.spPrivateKey === undefined || input.spCertificate === undefined) {
      throw invalid('spPrivateKey and spCertificate go together');
    }
    spCert = checkCertificate(input.spCertificate);
    let ok = false;
    try {
      const key = createPrivateKey(input.spPrivateKey);
      ok = new X509Certificate(Buffer.from(spCert, 'base64')).checkPrivateKey(key);
    } catch {
      throw invalid('spPrivateKey is not a PEM private key');
    }
    if (!ok) throw invalid('spPrivateKey does not match spCertificate');
    spKeySealed = sealSecret(ctx.key, input.spPrivateKey, samlKeyContext(ctx.orgId, ctx.id));
  }
  const wantEncrypted = input.wantEncryptedAssertions ?? cur?.want_encrypted ?? false;
  if (wantEncrypted && (!spKeySealed || !spCert)) {
    throw invalid('encrypted assertions need spPrivateKey and spCertificate');
  }
  return {
    idp_entity_id: checkEntityId(idpEntityId),
    idp_sso_url: checkSamlUrl(idpSsoUrl, 'idpSsoUrl'),
    idp_certs: [...new Set(certs.map(checkCertificate))],
    sp_entity_id: checkEntityId(input.spEntityId ?? cur?.sp_entity_id ?? ctx.defaultSpEntityId),
    want_encrypted: wantEncrypted,
    sp_key_sealed: spKeySealed,
    sp_cert: spCert,
    allow_idp_initiated: input.allowIdpInitiated ?? cur?.allow_idp_initiated ?? false,
    ...metadataColumns(input, cur, fetched),
  };
}

/** The metadata URL columns after `input`: a new URL with its fetch, none, or unchanged. */
function metadataColumns(
  input: SamlSettingsInput,
  cur: Settings | undefined,
  fetched: FetchedSamlMetadata | null | undefined,
) {
  if (fetched) {
    return {
      metadata_url: fetched.url,
      metadata_checked_at: fetched.at,
      metadata_refreshed_at: fetched.at,
      metadata_error: null,
    };
  }
  if (input.metadataUrl !== undefined && input.metadataUrl !== null) {
    throw new Error('metadataUrl given but not fetched');
  }
  if (input.metadataUrl === null || !cur) {
    return {
      metadata_url: null,
      metadata_checked_at: null,
      metadata_refreshed_at: null,
      metadata_error: null,
    };
  }
  return {
    metadata_url: cur.metadata_url,
    metadata_checked_at: cur.metadata_checked_at,
    metadata_refreshed_at: cur.metadata_refreshed_at,
    metadata_error: cur.metadata_error,
  };
}

/**
 * SAML IdP metadata by URL: the document the IdP publishes (Okta, Entra ID, Keycloak… each
 * give one), fetched (./idp-fetch.ts: https, timeout, size limit) and read as metadata XML is
 * (./saml-metadata.ts). A connection keeps the URL and reads it again on a refresh, so a
 * signing certificate the IdP rotates in its metadata reaches Gatehouse by itself.
 */
import { DomainError, invalid } from '../errors.js';
import type { Services } from '../services.js';
import { checkIdpDocumentUrl, fetchIdpDocument } from './idp-fetch.js';
import { parseSamlIdpMetadata, type SamlIdpMetadata } from './saml-metadata.js';

/** What a metadata URL gave, and when. */
export interface FetchedSamlMetadata {
  readonly url: string;
  readonly metadata: SamlIdpMetadata;
  readonly at: Date;
}

/** A metadata URL as stored: checked as `fetchSamlMetadata` would fetch it. */
export const checkSamlMetadataUrl = (s: Services, url: string): string =>
  checkIdpDocumentUrl(s, url, 'metadataUrl');

/**
 * Fetches and reads the IdP metadata at `url`. INVALID, saying what failed, when it cannot be
 * fetched (unreachable, timeout, not 2xx, too large, http where https is required) or is not
 * usable IdP metadata.
 *
 * @example
 * const { metadata } = await fetchSamlMetadata(services, 'https://acme.okta.com/app/x/sso/saml/metadata');
 */
export async function fetchSamlMetadata(s: Services, url: string): Promise<FetchedSamlMetadata> {
  const href = checkSamlMetadataUrl(s, url);
  const xml = await fetchIdpDocument(s, href, {
    what: 'metadataUrl',
    accept: 'application/samlmetadata+xml, application/xml;q=0.9, text/xml;q=0.8',
  });
  try {
    return { url: href, metadata: parseSamlIdpMetadata(xml), at: s.options?.now?.() ?? new Date() };
  } catch (e) {
    if (e instanceof DomainError) throw invalid(`the metadata at ${href}: ${e.message}`);
    throw e;
  }
}

/**
 * SAML 2.0 metadata and certificates as a connection stores them: the IdP's entity id, its
 * SingleSignOnService URL for the HTTP-Redirect binding and its signing certificates, read
 * from the IdP's metadata XML (SAML 2.0 Metadata §2.4.3, §2.3.2); certificates checked as X.509
 * and kept as base64 DER.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { invalid } from '../errors.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
/** The binding Gatehouse sends the AuthnRequest with. */
export const SAML_REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

/** What an IdP's metadata says. */
export interface SamlIdpMetadata {
  readonly entityId: string;
  readonly ssoUrl: string;
  /** Signing certificates, base64 DER. */
  readonly certificates: readonly string[];
}

/** A certificate as a connection view shows it. */
export interface SamlCertificateView {
  /** SHA-256 of the DER, hex with colons (as IdP consoles show it). */
  readonly fingerprint: string;
  readonly subject: string;
  readonly notAfter: string;
}

/** Metadata documents larger than this are refused (a real one is a few KiB). */
const MAX_METADATA_CHARS = 512 * 1024;

/**
 * Reads an IdP's metadata XML. INVALID when it is not XML, names no IdP, has no
 * HTTP-Redirect SingleSignOnService or no signing certificate.
 *
 * @example
 * const { entityId, ssoUrl, certificates } = parseSamlIdpMetadata(xmlFromOkta);
 */
export function parseSamlIdpMetadata(xml: string): SamlIdpMetadata {
  if (xml.length > MAX_METADATA_CHARS) throw invalid('metadata XML is too large');
  if (/<!DOCTYPE/i.test(xml)) throw invalid('metadata XML must not have a DOCTYPE');
  const errors: string[] = [];
  const doc = new DOMParser({
    errorHandler: {
      warning: () => {},
      error: (m) => errors.push(m),
      fatalError: (m) => errors.push(m),
    },
  }).parseFromString(xml, 'text/xml');
  const root = doc?.documentElement;
  if (errors.length > 0 || !root) throw invalid('metadata is not well-formed XML');
  const entity =
    root.localName === 'EntityDescriptor'
      ? root
      : Array.from(root.getElementsByTagNameNS(MD, 'EntityDescriptor')).find(
          (e) => e.getElementsByTagNameNS(MD, 'IDPSSODescriptor').length > 0,
        );
  const idp = entity?.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0];
  if (!entity || !idp) throw invalid('metadata has no IDPSSODescriptor');
  const entityId = checkEntityId(entity.getAttribute('entityID') ?? '');
  const sso = Array.from(idp.getElementsByTagNameNS(MD, 'SingleSignOnService')).find(
    (e) => e.getAttribute('Binding') === SAML_REDIRECT_BINDING,
  );
  if (!sso) throw invalid('metadata has no SingleSignOnService with the HTTP-Redirect binding');
  const ssoUrl = checkSamlUrl(sso.getAttribute('Location') ?? '', 'SingleSignOnService Location');
  const certificates = Array.from(idp.getElementsByTagNameNS(MD, 'KeyDescriptor'))
    .filter((k) => (k.getAttribute('use') ?? 'signing') === 'signing')
    .flatMap((k) => Array.from(k.getElementsByTagNameNS(DS, 'X509Certificate')))
    .map((c) => checkCertificate(c.textContent ?? ''));
  if (certificates.length === 0) throw invalid('metadata has no signing certificate');
  return { entityId, ssoUrl, certificates: [...new Set(certificates)] };
}

/** An entity id: a URI of at most 1024 characters (SAML Core §8.3.6). */
export function checkEntityId(id: string): string {
  const v = id.trim();
  if (!v || v.length > 1024 || /\s/.test(v) || !/^[a-z][a-z0-9+.-]*:/i.test(v)) {
    throw invalid(`entity id "${id.slice(0, 100)}" is not a URI`);
  }
  return v;
}

/** An absolute http(s) URL (the IdP's SSO endpoint). */
export function checkSamlUrl(url: string, what = 'URL'): string {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw invalid(`${what} "${url.slice(0, 100)}" is not a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw invalid(`${what} must be https`);
  if (u.username || u.password || u.hash)
    throw invalid(`${what} must have no credentials or fragment`);
  return u.href;
}

/** A certificate (PEM or bare base64), checked as X.509; returned as base64 DER. */
export function checkCertificate(cert: string): string {
  const b64 = cert.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  if (!b64 || !/^[A-Za-z0-9+/]+=*$/.test(b64)) throw invalid('a certificate is not base64 or PEM');
  try {
    new X509Certificate(Buffer.from(b64, 'base64'));
  } catch {
    throw invalid('a certificate is not a valid X.509 certificate');
  }
  return b64;
}

/** Base64 DER → PEM. */
export function certificatePem(b64: string): string {
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** What a view shows of a certificate. */
export function certificateView(b64: string): SamlCertificateView {
  const der = Buffer.from(b64, 'base64');
  const x = new X509Certificate(der);
  const hex = createHash('sha256').update(der).digest('hex').toUpperCase();
  return {
    fingerprint: hex.match(/.{2}/g)!.join(':'),
    subject: x.subject.replace(/\n/g, ', '),
    notAfter: new Date(x.validTo).toISOString(),
  };
}

/**
 * A SAML 2.0 IdP for tests: a generated RSA key pair with a self-signed certificate (selfsigned),
 * metadata naming its HTTP-Redirect SSO endpoint, and Responses signed for real with xml-crypto
 * (RSA-SHA256, exclusive c14n, enveloped), assertions encrypted to the SP's certificate when
 * asked (xml-encryption). `GET /sso` reads the AuthnRequest (deflated, base64) and answers with
 * the HTTP-POST binding's auto-submitting form for the person signed in; `GET /metadata`
 * publishes its metadata, which a test changes (key rotation) or breaks; the builder lets a test
 * forge every wrong answer (issuer, audience, times, signatures, wrapping).
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import { generate } from 'selfsigned';
import { SignedXml } from 'xml-crypto';
import { encrypt } from 'xml-encryption';

/** A key pair and its certificate (PEM). */
export interface SigningKey {
  readonly key: string;
  readonly cert: string;
}

/** Makes a key pair with a self-signed certificate valid for a day. */
export async function signingKey(cn = 'Gatehouse test IdP'): Promise<SigningKey> {
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: cn }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 24 * 3600_000),
  });
  return { key: pems.private, cert: pems.cert };
}

/** A person the IdP vouches for. */
export interface SamlPerson {
  readonly nameId: string;
  readonly attributes: Record<string, string | string[]>;
}

/** What goes into a Response; every field can be made wrong by a test. */
export interface ResponseSpec {
  readonly person: SamlPerson;
  readonly acsUrl: string;
  readonly audience: string;
  readonly issuer: string;
  readonly inResponseTo?: string | undefined;
  readonly notBefore?: Date | undefined;
  readonly notOnOrAfter?: Date | undefined;
  readonly assertionId?: string | undefined;
  /** What is signed (default the assertion). */
  readonly sign?: 'assertion' | 'response' | 'both' | 'none' | undefined;
  readonly key: SigningKey;
  /**
   * Encrypts the (signed) assertion to this certificate (PEM, the SP's encryption certificate):
   * AES-256-GCM content, RSA-OAEP key transport, an `EncryptedAssertion` in the Response.
   */
  readonly encryptTo?: string | undefined;
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
export const newSamlId = () => `_${randomBytes(16).toString('hex')}`;

/** The assertion XML (unsigned). */
export function assertionXml(spec: ResponseSpec): string {
  const now = new Date();
  const nb = spec.notBefore ?? new Date(now.getTime() - 60_000);
  const na = spec.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000);
  const irt = spec.inResponseTo ? ` InResponseTo="${esc(spec.inResponseTo)}"` : '';
  const attrs = Object.entries(spec.person.attributes)
    .map(
      ([name, v]) =>
        `<saml:Attribute Name="${esc(name)}">${(Array.isArray(v) ? v : [v])
          .map((x) => `<saml:AttributeValue>${esc(x)}</saml:AttributeValue>`)
          .join('')}</saml:Attribute>`,
    )
    .join('');
  return `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${spec.assertionId ?? newSamlId()}" Version="2.0" IssueInstant="${iso(now)}"><saml:Issuer>${esc(spec.issuer)}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${esc(spec.person.nameId)}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${irt} NotOnOrAfter="${iso(na)}" Recipient="${esc(spec.acsUrl)}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${iso(nb)}" NotOnOrAfter="${iso(na)}"><saml:AudienceRestriction><saml:Audience>${esc(spec.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${newSamlId()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>${attrs}</saml:AttributeStatement></saml:Assertion>`;
}

/** Signs the element `local` (Assertion or Response) of `xml`, the Signature after its Issuer. */
export function signXml(xml: string, local: 'Assertion' | 'Response', key: SigningKey): string {
  const sig = new SignedXml({
    privateKey: key.key,
    publicCert: key.cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  const at =
    local === 'Response' ? "/*[local-name(.)='Response']" : "//*[local-name(.)='Assertion']";
  sig.addReference({
    xpath: at,
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml, {
    location: { reference: `${at}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return sig.getSignedXml();
}

/** Wraps assertion XML (signed or not) in a Response. */
export function responseXml(spec: ResponseSpec, assertion: string): string {
  const irt = spec.inResponseTo ? ` InResponseTo="${esc(spec.inResponseTo)}"` : '';
  return `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newSamlId()}" Version="2.0" IssueInstant="${iso(new Date())}" Destination="${esc(spec.acsUrl)}"${irt}><saml:Issuer>${esc(spec.issuer)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${assertion}</samlp:Response>`;
}

/**
 * Encrypts assertion XML to `cert` (xml-encryption, as IdPs do: AES-256-GCM for the content, the
 * key under RSA-OAEP) and wraps it in an `EncryptedAssertion`.
 */
export async function encryptAssertion(assertion: string, cert: string): Promise<string> {
  const rsaPub = createPublicKey(cert).export({ type: 'spki', format: 'pem' }).toString();
  const data = await new Promise<string>((resolve, reject) =>
    encrypt(
      assertion,
      {
        rsa_pub: rsaPub,
        pem: cert,
        encryptionAlgorithm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
        keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
        disallowEncryptionWithInsecureAlgorithm: true,
      },
      (err, out) => (err ? reject(err) : resolve(out)),
    ),
  );
  return `<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${data}</saml:EncryptedAssertion>`;
}

/**
 * A Response as the IdP would post it (base64), signed as `spec.sign` says, its assertion
 * encrypted when `spec.encryptTo` names a certificate.
 */
export async function samlResponse(spec: ResponseSpec): Promise<string> {
  const sign = spec.sign ?? 'assertion';
  let assertion = assertionXml(spec);
  if (sign === 'assertion' || sign === 'both')
    assertion = signXml(assertion, 'Assertion', spec.key);
  if (spec.encryptTo) assertion = await encryptAssertion(assertion, spec.encryptTo);
  let xml = responseXml(spec, assertion);
  if (sign === 'response' || sign === 'both') xml = signXml(xml, 'Response', spec.key);
  return Buffer.from(xml).toString('base64');
}

/** What an AuthnRequest (HTTP-Redirect binding) said. */
export function readAuthnRequest(url: URL): { id: string; acsUrl: string; issuer: string } {
  const xml = inflateRawSync(
    Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64'),
  ).toString();
  return {
    id: /\sID="([^"]+)"/.exec(xml)?.[1] ?? '',
    acsUrl: /AssertionConsumerServiceURL="([^"]+)"/.exec(xml)?.[1] ?? '',
    issuer: /<saml:Issuer[^>]*>([^<]+)</.exec(xml)?.[1] ?? '',
  };
}

/** The HTTP-POST binding's page: a form the browser submits to the ACS. */
export const postForm = (acsUrl: string, fields: Record<string, string>) =>
  `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${esc(acsUrl)}">${Object.entries(
    fields,
  )
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('')}</form></body></html>`;

/** A running test IdP. */
export interface SamlIdp {
  readonly entityId: string;
  readonly ssoUrl: string;
  /** Where it publishes its metadata (`GET /metadata`, the entity id too, as many IdPs do). */
  readonly metadataUrl: string;
  /** The key it signs with now. */
  readonly key: SigningKey;
  /** The IdP metadata XML it publishes now (entity id, SSO URL, signing certificates). */
  readonly metadata: string;
  /** Who the next `/sso` signs in. */
  signInAs(person: SamlPerson): void;
  /** The audience (SP entity id) it answers to, per ACS URL, as configured at the IdP. */
  setAudience(acsUrl: string, audience: string): void;
  /** Signs with `key` from now on (a key rotation). */
  useKey(key: SigningKey): void;
  /** The certificates its metadata lists from now on (default: the first key's). */
  publish(keys: readonly SigningKey[]): void;
  /** `GET /metadata` answers this HTTP status instead of the metadata (null: the metadata). */
  failMetadata(status: number | null): void;
  /**
   * Encrypts the next Responses' assertions to `cert` (the SP's encryption certificate, PEM),
   * as an IdP configured with the SP's metadata does; null: plain assertions.
   */
  encryptTo(cert: string | null): void;
  /** How many times `/metadata` was fetched. */
  readonly metadataFetches: number;
  close(): Promise<void>;
}

/** The metadata an IdP publishes: its entity id, SSO endpoints and signing certificates. */
export function idpMetadataXml(entityId: string, ssoUrl: string, certs: readonly string[]): string {
  const keys = certs
    .map(
      (c) =>
        `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${c.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
    )
    .join('');
  return `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAuthnRequestsSigned="false">${keys}<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${ssoUrl}/post"/><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${ssoUrl}"/></md:IDPSSODescriptor></md:EntityDescriptor>`;
}

/** Starts the IdP on loopback. */
export async function startSamlIdp(): Promise<SamlIdp> {
  let key = await signingKey();
  let published: readonly SigningKey[] = [key];
  let metadataStatus: number | null = null;
  let encryptionCert: string | null = null;
  let metadataFetches = 0;
  let person: SamlPerson | null = null;
  const audiences = new Map<string, string>();
  let entityId = '';
  let ssoUrl = '';
  const metadata = () =>
    idpMetadataXml(
      entityId,
      ssoUrl,
      published.map((k) => k.cert),
    );
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://idp');
    if (url.pathname === '/metadata') {
      metadataFetches++;
      if (metadataStatus !== null) return void res.writeHead(metadataStatus).end();
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' });
      return void res.end(metadata());
    }
    if (url.pathname !== '/sso' || !person) return void res.writeHead(404).end();
    const request = readAuthnRequest(url);
    const audience = audiences.get(request.acsUrl) ?? request.issuer;
    const body = await samlResponse({
      person,
      acsUrl: request.acsUrl,
      audience,
      issuer: entityId,
      inResponseTo: request.id,
      key,
      encryptTo: encryptionCert ?? undefined,
    });
    const relay = url.searchParams.get('RelayState');
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      postForm(request.acsUrl, { SAMLResponse: body, ...(relay ? { RelayState: relay } : {}) }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  entityId = `${base}/metadata`;
  ssoUrl = `${base}/sso`;
  return {
    entityId,
    ssoUrl,
    metadataUrl: `${base}/metadata`,
    get key() {
      return key;
    },
    get metadata() {
      return metadata();
    },
    get metadataFetches() {
      return metadataFetches;
    },
    signInAs: (p) => {
      person = p;
    },
    setAudience: (acs, aud) => audiences.set(acs, aud),
    useKey: (k) => {
      key = k;
    },
    publish: (keys) => {
      published = [...keys];
    },
    failMetadata: (status) => {
      metadataStatus = status;
    },
    encryptTo: (cert) => {
      encryptionCert = cert;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

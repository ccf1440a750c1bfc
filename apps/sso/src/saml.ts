/**
 * The SAML 2.0 side of a sign-in, through @node-saml/node-saml: the AuthnRequest (HTTP-Redirect
 * binding, its ID made by the domain and stored with the attempt), the SP metadata, and the
 * Response posted to the ACS (HTTP-POST binding): the assertion's XML signature against the
 * connection's certificates (signed assertions required; node-saml refuses a Response holding
 * more than one assertion, the usual signature-wrapping shape), its time window (small clock
 * skew), audience (the SP entity id); then here the issuer (the IdP entity id), InResponseTo
 * (the Response's and the subject confirmation's) against the attempt, the Recipient, and
 * encryption when the connection requires it.
 */
import type { SamlProvider, SsoAttempt, SsoProvider, SsoRedirect } from '@gatehouse/domain';
import { type Profile, SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';

/** The IdP's answer failed a check: said to the adopter, not logged as a bug. */
export class SamlRefusedError extends Error {}

/** Allowed clock difference with the IdP. */
const CLOCK_SKEW_MS = 30_000;

const samlOf = (p: SsoProvider): SamlProvider => {
  if (p.protocol !== 'saml') throw new Error(`connection ${p.connectionId} is not SAML`);
  return p;
};

function client(p: SamlProvider, requestId?: string): SAML {
  return new SAML({
    callbackUrl: p.acsUrl,
    entryPoint: p.idpSsoUrl,
    issuer: p.spEntityId,
    audience: p.spEntityId,
    idpIssuer: p.idpEntityId,
    idpCert: [...p.idpCerts],
    wantAssertionsSigned: true,
    // Many IdPs sign the assertion only; the assertion's signature is the one required.
    wantAuthnResponseSigned: false,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    // Checked below against the attempt stored in the database, not node-saml's memory cache.
    validateInResponseTo: ValidateInResponseTo.never,
    identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
    disableRequestedAuthnContext: true,
    ...(p.decryptionKey ? { decryptionPvk: p.decryptionKey } : {}),
    ...(requestId ? { generateUniqueId: () => requestId } : {}),
  });
}

/**
 * The IdP URL (HTTP-Redirect binding) carrying the AuthnRequest and the RelayState. A plain-http
 * IdP URL is refused unless `allowHttp` (`GATEHOUSE_SSO_ALLOW_HTTP=1`, tests and development), as
 * OIDC issuers are: the AuthnRequest and the person's sign-in would travel unencrypted.
 */
export async function samlAuthorizeUrl(
  r: SsoRedirect,
  options: { readonly allowHttp: boolean },
): Promise<URL> {
  const p = samlOf(r.provider);
  if (!options.allowHttp && new URL(p.idpSsoUrl).protocol !== 'https:') {
    throw new Error(
      `the SAML IdP's sign-in URL ${p.idpSsoUrl} is not https (GATEHOUSE_SSO_ALLOW_HTTP=1 allows http, for tests and development only)`,
    );
  }
  return new URL(await client(p, r.nonce).getAuthorizeUrlAsync(r.state, undefined, {}));
}

/**
 * Stands for the SP key when only the metadata is made: node-saml lists the encryption
 * certificate only when it holds a decryption key, and the metadata endpoint never opens the
 * sealed key (it only needs to know there is one).
 */
const KEY_NOT_OPENED = 'the SP key is not opened for metadata';

/** Gatehouse's SP metadata for a connection (entity id, ACS, encryption certificate). */
export function samlMetadata(p: SamlProvider): string {
  const decryptionKey = p.decryptionKey ?? (p.spCert ? KEY_NOT_OPENED : null);
  return client({ ...p, decryptionKey }).generateServiceProviderMetadata(p.spCert, null);
}

const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';

/**
 * True when the Response's one assertion, the one node-saml read (a child of the Response
 * element), came encrypted: an `EncryptedAssertion` child and no plain `Assertion` child. An
 * `EncryptedAssertion` anywhere else (a decoy in Extensions) does not count.
 */
export function assertionWasEncrypted(samlResponse: string): boolean {
  const doc = new DOMParser({
    errorHandler: { warning: () => {}, error: () => {} },
  }).parseFromString(Buffer.from(samlResponse, 'base64').toString('utf8'), 'text/xml');
  const root = doc?.documentElement;
  if (root?.localName !== 'Response' || !root) return false;
  const children = Array.from(root.childNodes).filter(
    (n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === ASSERTION_NS,
  );
  return (
    children.some((e) => e.localName === 'EncryptedAssertion') &&
    !children.some((e) => e.localName === 'Assertion')
  );
}

/** What a validated Response yields. */
export interface SamlAnswer {
  readonly claims: Record<string, unknown>;
  readonly assertionId: string;
  readonly notOnOrAfter: Date | undefined;
}

type XmlJs = { $?: Record<string, string>; [k: string]: unknown };
const first = (v: unknown): XmlJs | undefined =>
  Array.isArray(v) ? (v[0] as XmlJs | undefined) : undefined;

/**
 * Validates the Response posted for `attempt` (SP-initiated: InResponseTo must be the
 * attempt's AuthnRequest ID; IdP-initiated: it must have none). SamlRefusedError says what failed.
 */
export async function samlValidate(
  attempt: SsoAttempt,
  body: { SAMLResponse: string },
): Promise<SamlAnswer> {
  const p = samlOf(attempt.provider);
  let profile: Profile | null;
  try {
    ({ profile } = await client(p).validatePostResponseAsync({ SAMLResponse: body.SAMLResponse }));
  } catch (e) {
    throw new SamlRefusedError((e as Error).message);
  }
  if (!profile) throw new SamlRefusedError('the Response holds no assertion');
  if (profile.issuer !== p.idpEntityId) {
    throw new SamlRefusedError(`the assertion's issuer is not ${p.idpEntityId}`);
  }
  const assertion = (profile.getAssertion?.() as { Assertion?: XmlJs } | undefined)?.Assertion;
  const confirmation = first(
    first(first(assertion?.Subject)?.SubjectConfirmation)?.SubjectConfirmationData,
  );
  const expected = attempt.nonce || undefined;
  const said = [profile.inResponseTo, confirmation?.$?.InResponseTo].filter(
    (x): x is string => typeof x === 'string',
  );
  if (expected === undefined && said.length > 0) {
    throw new SamlRefusedError(
      'an IdP-initiated Response must not answer a request (InResponseTo)',
    );
  }
  if (expected !== undefined && (said.length === 0 || said.some((x) => x !== expected))) {
    throw new SamlRefusedError('InResponseTo does not match the sign-in request');
  }
  const recipient = confirmation?.$?.Recipient;
  if (recipient !== undefined && recipient !== p.acsUrl) {
    throw new SamlRefusedError('the subject confirmation names another Recipient');
  }
  if (p.wantEncrypted && !assertionWasEncrypted(body.SAMLResponse)) {
    throw new SamlRefusedError('this connection requires an encrypted assertion');
  }
  const assertionId = assertion?.$?.ID;
  if (!assertionId) throw new SamlRefusedError('the assertion has no ID');
  const until = first(assertion?.Conditions)?.$?.NotOnOrAfter;
  const claims: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((profile.attributes ?? {}) as Record<string, unknown>)) {
    const values = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
    if (values.length > 0) claims[k] = values.length === 1 ? values[0] : values;
  }
  claims.sub = profile.nameID;
  return {
    claims,
    assertionId,
    notOnOrAfter: until ? new Date(until) : undefined,
  };
}

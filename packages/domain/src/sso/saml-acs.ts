/**
 * What the SAML Assertion Consumer Service needs from the domain: the connection an ACS URL
 * names, the attempt its RelayState names (SP-initiated) or, when the connection allows it, an
 * IdP-initiated sign-in, and the one-time use of each assertion id (replay protection).
 */
import { DomainError, forbidden, invalid, notFound } from '../errors.js';
import { hashSecret } from '../rules/index.js';
import type { Services } from '../services.js';
import {
  attemptFailed,
  provider,
  type SamlProvider,
  type SsoAttempt,
  takeSsoAttempt,
} from './attempts.js';
import { checkRedirectUri, redirectAllowed } from './redirect-uris.js';

/** Consumed assertion ids are kept at least this long (when the assertion names no expiry). */
export const SAML_ASSERTION_KEEP_MS = 24 * 60 * 60 * 1000;

/**
 * The SAML connection an ACS or SP-metadata URL names (connection ids are unique across
 * orgs); NOT_FOUND when there is none or it is not SAML.
 */
export async function samlProviderFor(s: Services, connectionId: string): Promise<SamlProvider> {
  // Checked before the query: an id from a URL may hold anything (a NUL byte fails in SQL).
  if (!/^ssoc_[A-Za-z0-9_-]{1,100}$/.test(connectionId)) {
    throw notFound(`SAML connection ${connectionId.slice(0, 100)}`);
  }
  const row = await s.db
    .selectFrom('sso_connections')
    .selectAll()
    .where('id', '=', connectionId)
    .where('protocol', '=', 'saml')
    .executeTakeFirst();
  if (!row) throw notFound(`SAML connection ${connectionId}`);
  return (await provider(s, row)) as SamlProvider;
}

/**
 * The attempt a Response posted to `connectionId`'s ACS belongs to:
 * - its RelayState names an attempt: that attempt, taken once; it must be one of this
 *   connection (so org A's IdP cannot finish a sign-in to org B), and the Response must then
 *   answer its AuthnRequest (InResponseTo, checked by the caller against `nonce`);
 * - otherwise an IdP-initiated sign-in: refused (FORBIDDEN) unless the connection allows them
 *   and is enabled; the RelayState, if any, must be an allowlisted redirect URI of the org (the
 *   adopter's callback the browser goes to), else INVALID.
 */
export async function samlAttemptFor(
  s: Services,
  input: {
    connectionId: string;
    relayState: string | undefined;
    instanceRedirectUris: readonly string[];
  },
): Promise<{ attempt: SsoAttempt; idpInitiated: boolean }> {
  const relay = input.relayState;
  await samlProviderFor(s, input.connectionId); // NOT_FOUND first for an unknown connection
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (relay && /[\x00-\x1f\x7f]/.test(relay)) throw invalid('RelayState holds control characters');
  if (relay) {
    const known = await s.db
      .selectFrom('sso_attempts')
      .select('id')
      .where('state_hash', '=', hashSecret(relay))
      .executeTakeFirst();
    if (known) {
      const attempt = await takeSsoAttempt(s, relay, {
        protocol: 'saml',
        connectionId: input.connectionId,
      });
      return { attempt, idpInitiated: false };
    }
  }
  const p = await samlProviderFor(s, input.connectionId);
  if (!p.allowIdpInitiated) {
    throw new DomainError(
      'FORBIDDEN',
      'IdP-initiated sign-in is not enabled for this connection (start at /sso/authorize)',
      { details: { reason: 'idp_initiated_disabled' } },
    );
  }
  const conn = await s.db
    .selectFrom('sso_connections')
    .select('enabled')
    .where('org_id', '=', p.orgId)
    .where('id', '=', p.connectionId)
    .executeTakeFirstOrThrow();
  if (!conn.enabled) throw forbidden(`SSO connection ${p.connectionId} is disabled`);
  if (!relay) throw invalid('an IdP-initiated sign-in needs a RelayState: the redirect URI');
  checkRedirectUri(relay);
  const allowed = await redirectAllowed(s.db, {
    orgId: p.orgId,
    uri: relay,
    instanceUris: input.instanceRedirectUris,
  });
  if (!allowed) throw invalid(`RelayState "${relay.slice(0, 200)}" is not an allowed redirect URI`);
  return {
    idpInitiated: true,
    attempt: {
      attemptId: '',
      mode: 'sign_in',
      redirectUri: relay,
      clientState: null,
      state: '',
      nonce: '',
      codeVerifier: '',
      provider: p,
    },
  };
}

/**
 * Records that an assertion was consumed through a connection; UNAUTHENTICATED when it
 * already was (a replayed assertion). Kept until `notOnOrAfter` (at least a day).
 */
export async function consumeSamlAssertion(
  s: Services,
  input: { provider: SamlProvider; assertionId: string; notOnOrAfter?: Date | undefined },
): Promise<void> {
  const { provider: p } = input;
  if (!input.assertionId) throw attemptFailed('the assertion has no ID');
  const now = s.options?.now?.() ?? new Date();
  const floor = now.getTime() + SAML_ASSERTION_KEEP_MS;
  const until = Math.max(floor, input.notOnOrAfter?.getTime() ?? 0);
  const done = await s.db
    .insertInto('sso_saml_assertions')
    .values({
      org_id: p.orgId,
      connection_id: p.connectionId,
      assertion_id: input.assertionId.slice(0, 500),
      created_at: now,
      expires_at: new Date(until),
    })
    .onConflict((oc) => oc.columns(['org_id', 'connection_id', 'assertion_id']).doNothing())
    .returning('assertion_id')
    .executeTakeFirst();
  if (!done) throw attemptFailed('this assertion was already used (replay)');
}

/** The SP side of a SAML connection, for its public metadata (no secret in it). */
export async function samlServiceProvider(
  s: Services,
  input: { connectionId: string },
): Promise<SamlProvider> {
  const p = await samlProviderFor(s, input.connectionId);
  return { ...p, decryptionKey: null };
}

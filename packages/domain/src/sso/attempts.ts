/**
 * A sign-in on its way through the IdP (OpenID Connect Core §3.1.2, RFC 7636): Gatehouse makes
 * the `state` (sent to the IdP and kept in a cookie of the browser that started, so the callback
 * is bound to it), the `nonce` (bound into the ID token) and the PKCE verifier (sealed at rest);
 * the row is found again by the hash of the state, once: taking it marks it used, so a replayed
 * callback (the same IdP code and state again) finds nothing.
 */
import type { SsoConnectionRow } from '@gatehouse/db';
import { newId } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { DomainError, forbidden, invalid } from '../errors.js';
import { orgEventWrite } from '../org-write.js';
import { hashSecret, newSecret, openSecret, sealSecret } from '../rules/index.js';
import type { Services } from '../services.js';
import {
  claimNamesOf,
  loadConnection,
  loadSamlSettings,
  openClientSecret,
  type SsoClaimNames,
  samlEndpoints,
  samlKeyContext,
  secretKeyOf,
} from './connection-view.js';
import { checkRedirectUri, redirectAllowed } from './redirect-uris.js';
import { routeSsoSignIn, type SsoRouteInput } from './route.js';
import { certificatePem } from './saml-metadata.js';

/** How long a browser has to come back from the IdP: 10 minutes. */
export const SSO_ATTEMPT_TTL_MS = 10 * 60 * 1000;

/** What the protocol layer needs to talk to an OpenID Provider (the secret only goes to it). */
export interface OidcProvider {
  readonly protocol: 'oidc';
  readonly orgId: string;
  readonly connectionId: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: readonly string[];
  readonly claims: SsoClaimNames;
}

/** What the protocol layer needs to talk to a SAML IdP (the SP key only decrypts). */
export interface SamlProvider {
  readonly protocol: 'saml';
  readonly orgId: string;
  readonly connectionId: string;
  /** Attribute names of the email, name and groups. */
  readonly claims: SsoClaimNames;
  readonly idpEntityId: string;
  readonly idpSsoUrl: string;
  /** PEM. */
  readonly idpCerts: readonly string[];
  readonly spEntityId: string;
  readonly acsUrl: string;
  readonly wantEncrypted: boolean;
  /** PEM, only when the connection has an SP key. */
  readonly decryptionKey: string | null;
  /** PEM, published in the SP metadata. */
  readonly spCert: string | null;
  readonly allowIdpInitiated: boolean;
}

/** Either protocol. */
export type SsoProvider = OidcProvider | SamlProvider;

/** An attempt about to be sent to the IdP. */
export interface SsoRedirect {
  readonly state: string;
  /** OIDC: the nonce; SAML: the AuthnRequest ID the Response must name in InResponseTo. */
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly provider: SsoProvider;
}

/** An attempt taken back at the callback. */
export interface SsoAttempt extends SsoRedirect {
  readonly attemptId: string;
  readonly mode: 'sign_in' | 'test';
  /** The adopter's redirect_uri (allowlisted when the attempt started); '' for a test. */
  readonly redirectUri: string;
  /** The adopter's `state`, returned to it untouched. */
  readonly clientState: string | null;
}

const verifierContext = (orgId: string, id: string) => `sso_attempts:${orgId}:${id}`;

export const attemptFailed = (why: string) =>
  new DomainError('UNAUTHENTICATED', `SSO sign-in failed: ${why}`, { details: { reason: why } });

/** The provider of a connection, whatever its protocol. */
export async function provider(s: Services, row: SsoConnectionRow): Promise<SsoProvider> {
  if (row.protocol === 'saml') {
    const x = await loadSamlSettings(s.db, row.org_id, row.id);
    const key = x.sp_key_sealed ? await secretKeyOf(s) : null;
    return {
      protocol: 'saml',
      orgId: row.org_id,
      connectionId: row.id,
      claims: claimNamesOf(row),
      idpEntityId: x.idp_entity_id,
      idpSsoUrl: x.idp_sso_url,
      idpCerts: x.idp_certs.map(certificatePem),
      spEntityId: x.sp_entity_id,
      acsUrl: samlEndpoints(s, row.id).acsUrl,
      wantEncrypted: x.want_encrypted,
      decryptionKey:
        key && x.sp_key_sealed
          ? openSecret(key, x.sp_key_sealed, samlKeyContext(row.org_id, row.id))
          : null,
      spCert: x.sp_cert ? certificatePem(x.sp_cert) : null,
      allowIdpInitiated: x.allow_idp_initiated,
    };
  }
  return {
    protocol: 'oidc',
    orgId: row.org_id,
    connectionId: row.id,
    issuer: row.issuer ?? '',
    clientId: row.client_id ?? '',
    clientSecret: openClientSecret(await secretKeyOf(s), row),
    scopes: row.scopes,
    claims: claimNamesOf(row),
  };
}

async function insertAttempt(
  s: Services,
  row: SsoConnectionRow,
  a: { mode: 'sign_in' | 'test'; redirectUri: string; clientState: string | null },
): Promise<SsoRedirect> {
  const id = newId('ssoAttempt');
  const state = newSecret();
  // SAML: the AuthnRequest ID, an xs:ID (a letter or `_` first).
  const nonce = row.protocol === 'saml' ? `_${newSecret()}` : newSecret();
  const codeVerifier = newSecret(48);
  const key = await secretKeyOf(s);
  const now = s.options?.now?.() ?? new Date();
  await s.db
    .insertInto('sso_attempts')
    .values({
      org_id: row.org_id,
      id,
      connection_id: row.id,
      state_hash: hashSecret(state),
      nonce,
      code_verifier_sealed: sealSecret(key, codeVerifier, verifierContext(row.org_id, id)),
      redirect_uri: a.redirectUri,
      client_state: a.clientState,
      mode: a.mode,
      created_at: now,
      expires_at: new Date(now.getTime() + SSO_ATTEMPT_TTL_MS),
      used_at: null,
    })
    .execute();
  return { state, nonce, codeVerifier, provider: await provider(s, row) };
}

/** Input of `startSsoSignIn` (the query of `GET /sso/authorize`). */
export interface StartSsoInput extends SsoRouteInput {
  readonly redirectUri: string;
  readonly clientState?: string | undefined;
  /** The instance's allowlist (`GATEHOUSE_SSO_REDIRECT_URIS`). */
  readonly instanceRedirectUris: readonly string[];
}

/**
 * Starts a sign-in: the redirect_uri must be exactly on an allowlist (INVALID with
 * `details.reason = 'redirect_uri_not_allowed'` otherwise: the caller shows an error page and
 * never redirects); the connection must be this org's (NOT_FOUND otherwise, so org A's
 * connection never opens org B) and enabled (FORBIDDEN).
 *
 * Without a connection, `routeSsoSignIn` picks one from the org, or from the org that verified
 * the email's domain (I3).
 */
export async function startSsoSignIn(s: Services, input: StartSsoInput): Promise<SsoRedirect> {
  checkRedirectUri(input.redirectUri);
  const { orgId, connectionId } = await routeSsoSignIn(s.db, input);
  const allowed = await redirectAllowed(s.db, {
    orgId,
    uri: input.redirectUri,
    instanceUris: input.instanceRedirectUris,
  });
  if (!allowed) {
    throw new DomainError('INVALID', `redirect_uri "${input.redirectUri}" is not allowed`, {
      details: { reason: 'redirect_uri_not_allowed' },
    });
  }
  const row = await loadConnection(s.db, orgId, connectionId);
  if (!row.enabled) throw forbidden(`SSO connection ${row.id} is disabled`);
  if (input.clientState !== undefined && input.clientState.length > 2000) {
    throw invalid('state must be at most 2000 characters');
  }
  return insertAttempt(s, row, {
    mode: 'sign_in',
    redirectUri: input.redirectUri,
    clientState: input.clientState ?? null,
  });
}

/**
 * I1: a dry sign-in through a connection, enabled or not (`sso.manage`): returns the ticket the
 * tester's browser opens at `/sso/test?ticket=…`; the callback then shows the claims received
 * and what just-in-time provisioning would do, and changes nothing.
 */
export async function startSsoTest(
  call: OrgCall,
  input: { connectionId: string },
): Promise<{ ticket: string; expiresAt: string }> {
  const { result } = await orgEventWrite(call, async (w) => {
    w.authorize('sso.manage', w.orgId);
    const row = await loadConnection(w.trx, w.orgId, input.connectionId);
    w.audit({
      action: 'Tested',
      entityType: 'sso_connection',
      entityId: row.id,
      scopeId: w.orgId,
    });
    return row;
  });
  const made = await insertAttempt(call.services, result, {
    mode: 'test',
    redirectUri: '',
    clientState: null,
  });
  return {
    ticket: made.state,
    expiresAt: new Date(Date.now() + SSO_ATTEMPT_TTL_MS).toISOString(),
  };
}

async function findAttempt(s: Services, state: string) {
  const row = await s.db
    .selectFrom('sso_attempts')
    .selectAll()
    .where('state_hash', '=', hashSecret(state))
    .executeTakeFirst();
  const now = s.options?.now?.() ?? new Date();
  if (!row) throw attemptFailed('unknown state');
  if (row.used_at !== null) throw attemptFailed('this sign-in was already completed');
  if (new Date(row.expires_at) <= now) throw attemptFailed('the sign-in took too long');
  return row;
}

/** The redirect of a test attempt (`/sso/test?ticket=…`), not yet used. */
export async function ssoTestRedirect(s: Services, ticket: string): Promise<SsoRedirect> {
  const row = await findAttempt(s, ticket);
  if (row.mode !== 'test') throw attemptFailed('not a test ticket');
  const conn = await loadConnection(s.db, row.org_id, row.connection_id);
  const key = await secretKeyOf(s);
  return {
    state: ticket,
    nonce: row.nonce,
    codeVerifier: openSecret(key, row.code_verifier_sealed, verifierContext(row.org_id, row.id)),
    provider: await provider(s, conn),
  };
}

/**
 * Takes the attempt the IdP's callback names by `state` (SAML: the RelayState), once
 * (UNAUTHENTICATED when unknown, used or expired, of another connection or protocol than
 * expected, or when its connection was disabled since: a test attempt still goes on).
 */
export async function takeSsoAttempt(
  s: Services,
  state: string,
  expect: { protocol: SsoProvider['protocol']; connectionId?: string | undefined } = {
    protocol: 'oidc',
  },
): Promise<SsoAttempt> {
  const row = await findAttempt(s, state);
  if (expect.connectionId !== undefined && row.connection_id !== expect.connectionId) {
    throw attemptFailed('this answer came through another connection than the sign-in started');
  }
  const now = s.options?.now?.() ?? new Date();
  const taken = await s.db
    .updateTable('sso_attempts')
    .set({ used_at: now })
    .where('org_id', '=', row.org_id)
    .where('id', '=', row.id)
    .where('used_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  if (!taken) throw attemptFailed('this sign-in was already completed');
  const conn = await loadConnection(s.db, row.org_id, row.connection_id);
  if (!conn.enabled && row.mode === 'sign_in') throw attemptFailed('the connection is disabled');
  if (conn.protocol !== expect.protocol) {
    throw attemptFailed(
      `this sign-in uses ${conn.protocol.toUpperCase()}, not ${expect.protocol.toUpperCase()}`,
    );
  }
  const key = await secretKeyOf(s);
  return {
    attemptId: row.id,
    mode: row.mode,
    redirectUri: row.redirect_uri,
    clientState: row.client_state,
    state,
    nonce: row.nonce,
    codeVerifier: openSecret(key, row.code_verifier_sealed, verifierContext(row.org_id, row.id)),
    provider: await provider(s, conn),
  };
}

/**
 * An SSO connection as the API shows it (never its client secret), how its secret is sealed,
 * and the checks every connection write makes.
 */
import type {
  Database,
  DB,
  SsoConnectionRow,
  SsoSamlSettingsRow,
  Transaction,
} from '@gatehouse/db';
import { invalid, notFound } from '../errors.js';
import type { OrgWrite } from '../org-write.js';
import {
  authorizeAboveEveryRole,
  instanceSecretKey,
  openSecret,
  type SecretKey,
  sealSecret,
} from '../rules/index.js';
import type { Services } from '../services.js';
import { certificateView, type SamlCertificateView } from './saml-metadata.js';

type Q = DB | Transaction<Database>;

/** Which claims of the ID token (or userinfo) carry what Gatehouse needs. */
export interface SsoClaimNames {
  readonly email: string;
  readonly emailVerified: string;
  readonly name: string;
  /** The claim listing the user's IdP groups; null: no group mapping on this connection. */
  readonly groups: string | null;
}

/** The claims OpenID Connect names (Core §5.1), and `groups` as Okta, Entra ID and Keycloak send it. */
export const DEFAULT_SSO_CLAIMS: SsoClaimNames = {
  email: 'email',
  emailVerified: 'email_verified',
  name: 'name',
  groups: 'groups',
};

/** The scopes asked for when a connection names none. */
export const DEFAULT_SSO_SCOPES: readonly string[] = ['openid', 'email', 'profile'];

/** An IdP group mapped to a Gatehouse group. */
export interface SsoGroupMappingView {
  readonly idpGroup: string;
  readonly groupId: string;
}

/** What every connection shows, whatever its protocol. */
interface SsoConnectionBase {
  readonly id: string;
  readonly orgId: string;
  readonly name: string;
  /** Which claims (OIDC) or attributes (SAML) carry the email, name and groups. */
  readonly claims: SsoClaimNames;
  /** The role a newcomer gets (null: the preset's default role). */
  readonly defaultRole: string | null;
  /** Where the default role is given (null: the org root). */
  readonly defaultScopeId: string | null;
  readonly enabled: boolean;
  readonly groupMappings: readonly SsoGroupMappingView[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** An OpenID Connect connection: the client secret is never part of it. */
export interface OidcConnectionView extends SsoConnectionBase {
  readonly protocol: 'oidc';
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
}

/** A SAML 2.0 connection: the SP decryption key is never part of it. */
export interface SamlConnectionView extends SsoConnectionBase {
  readonly protocol: 'saml';
  readonly idpEntityId: string;
  readonly idpSsoUrl: string;
  /** The IdP signing certificates a response may be signed with (several during a rotation). */
  readonly idpCertificates: readonly SamlCertificateView[];
  /** The entity id Gatehouse answers as: the audience the IdP must name. */
  readonly spEntityId: string;
  /** Where the IdP posts its Response (HTTP-POST binding). */
  readonly acsUrl: string;
  /** Gatehouse's SP metadata for this connection, to load into the IdP. */
  readonly metadataUrl: string;
  readonly wantEncryptedAssertions: boolean;
  readonly allowIdpInitiated: boolean;
  /** Where the IdP publishes its metadata, and how its last fetch went; null when not by URL. */
  readonly idpMetadata: SamlMetadataStatus | null;
}

/** A SAML connection's metadata URL and its last fetch. */
export interface SamlMetadataStatus {
  readonly url: string;
  /** The last fetch, successful or not. */
  readonly checkedAt: string | null;
  /** The last successful fetch: the settings shown come from it (or from a later edit). */
  readonly refreshedAt: string | null;
  /** Why the last fetch failed (the settings were kept); null when it succeeded. */
  readonly error: string | null;
}

/** An SSO connection as the API shows it: never a client secret or a private key. */
export type SsoConnectionView = OidcConnectionView | SamlConnectionView;

/** A SAML connection's endpoints at Gatehouse. */
export function samlEndpoints(s: Services, connectionId: string) {
  const u = s.options?.publicUrl;
  const base = (typeof u === 'function' ? u() : (u ?? '')).replace(/\/+$/, '');
  const at = `${base}/sso/saml/${connectionId}`;
  return { acsUrl: `${at}/acs`, metadataUrl: `${at}/metadata` };
}

/** The context a connection's secret is sealed under: a box copied to another row does not open. */
export const secretContext = (orgId: string, id: string) => `sso_connections:${orgId}:${id}`;

/** The instance secret key (`GATEHOUSE_SECRET_KEY`, or the stored one). */
export const secretKeyOf = (s: Services, q: Q = s.db): Promise<SecretKey> =>
  instanceSecretKey(q, s.options?.secretKey);

/** Seals a connection's client secret for its row. */
export function sealClientSecret(
  key: SecretKey,
  row: { orgId: string; id: string },
  secret: string,
) {
  return sealSecret(key, secret, secretContext(row.orgId, row.id));
}

/** Opens a connection's client secret (for the token request only; never returned). */
export function openClientSecret(key: SecretKey, row: SsoConnectionRow): string {
  if (row.client_secret_sealed === null) throw invalid(`SSO connection ${row.id} is not OIDC`);
  return openSecret(key, row.client_secret_sealed, secretContext(row.org_id, row.id));
}

/** The context a SAML connection's SP decryption key is sealed under. */
export const samlKeyContext = (orgId: string, id: string) => `sso_saml_settings:${orgId}:${id}`;

/** The claim names of a row, defaults filled in. */
export function claimNamesOf(row: Pick<SsoConnectionRow, 'claims'>): SsoClaimNames {
  const c = row.claims as Partial<SsoClaimNames>;
  return {
    email: c.email ?? DEFAULT_SSO_CLAIMS.email,
    emailVerified: c.emailVerified ?? DEFAULT_SSO_CLAIMS.emailVerified,
    name: c.name ?? DEFAULT_SSO_CLAIMS.name,
    groups: c.groups === undefined ? DEFAULT_SSO_CLAIMS.groups : c.groups,
  };
}

/**
 * A connection row as the API shows it; a SAML row needs its settings and the services (for
 * the public URL of its endpoints).
 */
export function connectionView(
  r: SsoConnectionRow,
  mappings: readonly SsoGroupMappingView[],
  saml?: { settings: SsoSamlSettingsRow; services: Services },
): SsoConnectionView {
  const base = {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    claims: claimNamesOf(r),
    defaultRole: r.default_role,
    defaultScopeId: r.default_scope_id,
    enabled: r.enabled,
    groupMappings: mappings,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
  if (r.protocol === 'saml') {
    if (!saml) throw new Error(`SAML settings of ${r.id} not loaded`);
    const x = saml.settings;
    return {
      ...base,
      protocol: 'saml',
      idpEntityId: x.idp_entity_id,
      idpSsoUrl: x.idp_sso_url,
      idpCertificates: x.idp_certs.map(certificateView),
      spEntityId: x.sp_entity_id,
      ...samlEndpoints(saml.services, r.id),
      wantEncryptedAssertions: x.want_encrypted,
      allowIdpInitiated: x.allow_idp_initiated,
      idpMetadata: x.metadata_url
        ? {
            url: x.metadata_url,
            checkedAt: iso(x.metadata_checked_at),
            refreshedAt: iso(x.metadata_refreshed_at),
            error: x.metadata_error,
          }
        : null,
    };
  }
  return {
    ...base,
    protocol: 'oidc',
    issuer: r.issuer ?? '',
    clientId: r.client_id ?? '',
    scopes: r.scopes,
  };
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** A SAML connection's settings (NOT_FOUND when it has none: not a SAML connection). */
export async function loadSamlSettings(
  q: Q,
  orgId: string,
  connectionId: string,
): Promise<SsoSamlSettingsRow> {
  const row = await q
    .selectFrom('sso_saml_settings')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('connection_id', '=', connectionId)
    .executeTakeFirst();
  if (!row) throw notFound(`SAML settings of SSO connection ${connectionId}`);
  return row;
}

/** The view of a stored connection, whatever its protocol. */
export async function loadConnectionView(
  s: Services,
  q: Q,
  row: SsoConnectionRow,
): Promise<SsoConnectionView> {
  const mappings = await loadMappings(q, row.org_id, row.id);
  const settings = row.protocol === 'saml' ? await loadSamlSettings(q, row.org_id, row.id) : null;
  return connectionView(row, mappings, settings ? { settings, services: s } : undefined);
}

/** The org's connection, or NOT_FOUND (another org's connection is not found either). */
export async function loadConnection(
  q: Q,
  orgId: string,
  connectionId: string,
): Promise<SsoConnectionRow> {
  const row = await q
    .selectFrom('sso_connections')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', connectionId)
    .executeTakeFirst();
  if (!row) throw notFound(`SSO connection ${connectionId}`);
  return row;
}

/** A connection's group mappings. */
export async function loadMappings(
  q: Q,
  orgId: string,
  connectionId: string,
): Promise<SsoGroupMappingView[]> {
  const rows = await q
    .selectFrom('sso_group_mappings')
    .select(['idp_group', 'group_id'])
    .where('org_id', '=', orgId)
    .where('connection_id', '=', connectionId)
    .orderBy('idp_group')
    .execute();
  return rows.map((r) => ({ idpGroup: r.idp_group, groupId: r.group_id }));
}

/**
 * Who may change an org's connections: `sso.manage`, and holding everything any role of the org
 * carries, because a connection signs in as any member whose email its IdP vouches for and
 * provisions newcomers (as a SCIM token stands above every member).
 */
export function authorizeConnectionAdmin(w: OrgWrite): void {
  authorizeAboveEveryRole(w, 'sso.manage');
}

/**
 * A connection's default role must be one the caller may give where it is given (R6), and one
 * the model allows there (INVALID otherwise); null falls back to the preset's default role,
 * which is checked the same way.
 */
export function authorizeDefaultRole(
  w: OrgWrite,
  at: { role: string | null; scopeId: string | null },
): void {
  const scopeId = at.scopeId ?? w.orgId;
  if (!w.engine.hasScope(scopeId)) throw notFound(`scope ${scopeId}`);
  const kind = w.engine.snapshot.scopes.find((x) => x.id === scopeId)?.kind ?? w.preset.rootKind;
  const role = at.role ?? w.preset.defaultRoles[kind];
  if (role) w.authorizeAssign({ role, scopeId });
  // Provisioning adds members: as inviting does.
  w.authorize('members.invite', scopeId);
}

/** An issuer: an absolute http(s) URL without query or fragment (OpenID Connect Discovery §2). */
export function checkIssuer(issuer: string): string {
  let u: URL;
  try {
    u = new URL(issuer.trim());
  } catch {
    throw invalid(`issuer "${issuer}" is not a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw invalid('issuer must be an https URL');
  }
  if (u.search || u.hash || u.username || u.password) {
    throw invalid('issuer must have no query, fragment or credentials');
  }
  return issuer.trim();
}

/** Scopes: `openid` first, each a plain token. */
export function checkScopes(scopes: readonly string[] | undefined): string[] {
  const list = [...new Set(scopes ?? DEFAULT_SSO_SCOPES)].map((x) => x.trim()).filter(Boolean);
  for (const x of list) {
    if (!/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(x)) throw invalid(`scope "${x}" is not a valid scope`);
  }
  return ['openid', ...list.filter((x) => x !== 'openid')];
}

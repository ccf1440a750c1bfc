/**
 * Single sign-on (I1, I2). Connections, their group mappings and the org's redirect allowlist
 * are managed here (`sso.manage`, holding every permission of the org); the sign-in itself runs
 * through `/sso/authorize` and `/sso/callback` (the `@gatehouse/sso` app), and the adopter's
 * backend ends it with `exchange`: the one-time code from its redirect_uri, with its API key,
 * for the profile, the membership and a user session. No procedure ever returns a client secret
 * or a SAML SP private key. SAML connections (`protocol: 'saml'`) sign in through the same
 * `/sso/authorize`, with the IdP posting to `/sso/saml/<connection>/acs`.
 */
import {
  createSamlConnection,
  createSsoConnection,
  deleteSsoConnection,
  exchangeSsoCode,
  getSsoConnection,
  listSsoConnections,
  listSsoRedirectUris,
  refreshSamlMetadata,
  removeSsoGroupMapping,
  setSsoGroupMapping,
  setSsoRedirectUris,
  startSsoTest,
  updateSamlConnection,
  updateSsoConnection,
} from '@gatehouse/domain';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { idOf, text } from '../schemas.js';
import { orgProcedure } from '../trpc.js';

const connectionId = idOf('ssoc');
const url = text({ min: 1, max: 2000 });
const claims = z
  .object({
    email: text({ min: 1, max: 200 }),
    emailVerified: text({ min: 1, max: 200 }),
    name: text({ min: 1, max: 200 }),
    groups: text({ min: 1, max: 200 }).nullable(),
  })
  .partial();
const settings = {
  name: text({ min: 1, max: 200 }),
  issuer: url,
  clientId: text({ min: 1, max: 500 }),
  clientSecret: text({ min: 1, max: 2000 }),
  scopes: z
    .array(text({ min: 1, max: 200 }))
    .max(50)
    .optional(),
  claims: claims.optional(),
  defaultRole: text({ min: 1, max: 100 }).nullish(),
  defaultScopeId: idOf('(?:org|scp)').nullish(),
  enabled: z.boolean().optional(),
  /** Save even when the issuer's discovery document cannot be read (the answer warns why). */
  ignoreIssuerErrors: z.boolean().optional(),
};

const pem = text({ min: 1, max: 20_000 });
/** SAML settings (SAML 2.0; the IdP side from `metadataXml` or field by field). */
const saml = {
  metadataXml: z
    .string()
    .min(1)
    .max(512 * 1024)
    .optional(),
  /** Where the IdP publishes its metadata (https): fetched now and on every refresh. */
  metadataUrl: url.optional(),
  idpEntityId: text({ min: 1, max: 1024 }).optional(),
  idpSsoUrl: url.optional(),
  idpCertificates: z.array(pem).min(1).max(10).optional(),
  spEntityId: text({ min: 1, max: 1024 }).optional(),
  wantEncryptedAssertions: z.boolean().optional(),
  spPrivateKey: pem.optional(),
  spCertificate: pem.optional(),
  allowIdpInitiated: z.boolean().optional(),
};
const common = {
  claims: settings.claims,
  defaultRole: settings.defaultRole,
  defaultScopeId: settings.defaultScopeId,
  enabled: settings.enabled,
};
/** `protocol` says which: `oidc` (the default, for callers from before SAML) or `saml`. */
const createInput = z.union([
  z.object({ protocol: z.literal('oidc').optional(), ...settings }),
  z.object({ protocol: z.literal('saml'), name: settings.name, ...saml, ...common }),
]);
const updateInput = z.union([
  z.object({
    protocol: z.literal('oidc').optional(),
    connectionId,
    name: settings.name.optional(),
    issuer: settings.issuer.optional(),
    clientId: settings.clientId.optional(),
    clientSecret: settings.clientSecret.optional(),
    scopes: settings.scopes,
    ignoreIssuerErrors: settings.ignoreIssuerErrors,
    ...common,
  }),
  z.object({
    protocol: z.literal('saml'),
    connectionId,
    name: settings.name.optional(),
    ...saml,
    // null: forget the URL (the settings stay as they are).
    metadataUrl: url.nullable().optional(),
    ...common,
  }),
]);

/** The `sso` procedures. */
export const ssoRouter = {
  /**
   * An OIDC connection, or (`protocol: 'saml'`) a SAML 2.0 one; never returns a secret. An OIDC
   * issuer's discovery document is read first: BAD_REQUEST when it cannot be, unless
   * `ignoreIssuerErrors` (then `warnings` says why).
   */
  createConnection: orgProcedure.input(createInput).mutation(async ({ ctx, input }) => {
    if (input.protocol === 'saml') {
      const { protocol: _, ...rest } = input;
      return { ...(await createSamlConnection(ctx.call, rest)), warnings: [] as string[] };
    }
    const { protocol: _, ...rest } = input;
    return createSsoConnection(ctx.call, rest);
  }),
  updateConnection: orgProcedure.input(updateInput).mutation(async ({ ctx, input }) => {
    if (input.protocol === 'saml') {
      const { protocol: _, ...rest } = input;
      return { ...(await updateSamlConnection(ctx.call, rest)), warnings: [] as string[] };
    }
    const { protocol: _, ...rest } = input;
    return updateSsoConnection(ctx.call, rest);
  }),
  /**
   * A SAML connection with a metadata URL reads it again (authorized as updating it, audited):
   * a certificate the IdP rotated in its metadata is picked up. `changed` names what differed.
   */
  refreshSamlMetadata: orgProcedure
    .input(z.object({ connectionId }))
    .mutation(({ ctx, input }) => refreshSamlMetadata(ctx.call, input)),
  deleteConnection: orgProcedure
    .input(z.object({ connectionId }))
    .mutation(({ ctx, input }) => deleteSsoConnection(ctx.call, input)),
  listConnections: orgProcedure.query(({ ctx }) => listSsoConnections(ctx.call)),
  getConnection: orgProcedure
    .input(z.object({ connectionId }))
    .query(({ ctx, input }) => getSsoConnection(ctx.call, input)),
  setGroupMapping: orgProcedure
    .input(
      z.object({
        connectionId,
        idpGroup: text({ min: 1, max: 500 }),
        groupId: idOf('grp').optional(),
      }),
    )
    .mutation(({ ctx, input }) => setSsoGroupMapping(ctx.call, input)),
  removeGroupMapping: orgProcedure
    .input(z.object({ connectionId, idpGroup: text({ min: 1, max: 500 }) }))
    .mutation(({ ctx, input }) => removeSsoGroupMapping(ctx.call, input)),
  setRedirectUris: orgProcedure
    .input(z.object({ uris: z.array(url).max(100) }))
    .mutation(({ ctx, input }) => setSsoRedirectUris(ctx.call, input)),
  listRedirectUris: orgProcedure.query(({ ctx }) => listSsoRedirectUris(ctx.call)),
  /**
   * A dry sign-in: returns the ticket to open at `<gatehouse>/sso/test?ticket=…`; the page after
   * the IdP shows the claims received and what provisioning would do, and writes nothing.
   */
  testConnection: orgProcedure
    .input(z.object({ connectionId }))
    .mutation(({ ctx, input }) => startSsoTest(ctx.call, input)),
  exchange: orgProcedure
    .input(z.object({ code: text({ min: 1, max: 500 }) }))
    .mutation(({ ctx, input }) =>
      exchangeSsoCode(ctx.call, {
        code: input.code,
        userAgent: ctx.request?.userAgent,
        ip: ctx.request?.ip,
      }),
    ),
} satisfies TRPCRouterRecord;

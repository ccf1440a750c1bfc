/**
 * Single sign-on (I1, I2). Connections, their group mappings and the org's redirect allowlist
 * are managed here (`sso.manage`, holding every permission of the org); the sign-in itself runs
 * through `/sso/authorize` and `/sso/callback` (the `@gatehouse/sso` app), and the adopter's
 * backend ends it with `exchange`: the one-time code from its redirect_uri, with its API key,
 * for the profile, the membership and a user session. No procedure ever returns a client secret.
 */
import {
  createSsoConnection,
  deleteSsoConnection,
  exchangeSsoCode,
  getSsoConnection,
  listSsoConnections,
  listSsoRedirectUris,
  removeSsoGroupMapping,
  setSsoGroupMapping,
  setSsoRedirectUris,
  startSsoTest,
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
};

/** The `sso` procedures. */
export const ssoRouter = {
  createConnection: orgProcedure
    .input(z.object(settings))
    .mutation(({ ctx, input }) => createSsoConnection(ctx.call, input)),
  updateConnection: orgProcedure
    .input(
      z.object({
        connectionId,
        name: settings.name.optional(),
        issuer: settings.issuer.optional(),
        clientId: settings.clientId.optional(),
        clientSecret: settings.clientSecret.optional(),
        scopes: settings.scopes,
        claims: settings.claims,
        defaultRole: settings.defaultRole,
        defaultScopeId: settings.defaultScopeId,
        enabled: settings.enabled,
      }),
    )
    .mutation(({ ctx, input }) => updateSsoConnection(ctx.call, input)),
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

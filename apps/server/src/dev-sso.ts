/**
 * `GATEHOUSE_DEV_IDP=1` (development only): a real OpenID Provider (oidc-provider, the one the
 * tests use) starts next to the server, the demo organization gets an SSO connection to it
 * ("Dev IdP"; its IdP group `marketing-editors` maps to a group that edits flows in Marketing),
 * and `/sso/dev` is a page to click through a sign-in as Ada (Owner), Bob (existing member) or
 * Cleo (new: provisioned just in time). `/sso/dev/done` plays the adopter's backend: it
 * exchanges the one-time code and shows what an app gets. oidc-provider is a development
 * dependency: this mode runs from the repository, not from a production install.
 */
import {
  assignRole,
  type Caller,
  createSsoConnection,
  exchangeSsoCode,
  listOrgs,
  listScopes,
  listSsoConnections,
  listSsoRedirectUris,
  type Services,
  setSsoGroupMapping,
  setSsoRedirectUris,
  updateSsoConnection,
} from '@gatehouse/domain';
import express from 'express';

const system: Caller = { principal: { kind: 'system' }, source: 'system', requestId: 'dev-idp' };

const PEOPLE = [
  { sub: 'ada', email: 'ada@demo.gatehouse.test', name: 'Ada Admin', groups: ['admins'] },
  {
    sub: 'bob',
    email: 'bob@demo.gatehouse.test',
    name: 'Bob Builder',
    groups: ['marketing-editors'],
  },
  {
    sub: 'cleo',
    email: 'cleo@demo.gatehouse.test',
    name: 'Cleo New',
    groups: ['marketing-editors'],
  },
].map((p) => ({ ...p, email_verified: true }));

/** The dev IdP and its page, once started. */
export interface DevSso {
  readonly issuer: string;
  /** The page to start from: `<server>/sso/dev`. */
  readonly pageUrl: string;
  readonly router: express.Router;
  close(): Promise<void>;
}

const html = (body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Gatehouse dev SSO</title></head><body style="font:16px/1.5 system-ui;max-width:48rem;margin:3rem auto">${body}</body></html>`;

/** Starts the dev IdP and wires it to the demo org; null when there is no demo org. */
export async function startDevSso(opts: {
  services: Services;
  selfUrl: string;
  port: number;
}): Promise<DevSso | null> {
  const s = opts.services;
  const demo = (await listOrgs({ services: s, caller: system }, { limit: 1000 })).items.find(
    (o) => o.slug === 'demo',
  );
  if (!demo) return null;
  const { startDevIdp } = await import('@gatehouse/sso/testing');
  const idp = await startDevIdp({
    redirectUris: [`${opts.selfUrl}/sso/callback`],
    accounts: PEOPLE,
    port: opts.port,
    clientId: 'gatehouse-dev',
  });
  const call = { services: s, caller: system, orgId: demo.id };
  const existing = (await listSsoConnections(call)).find((c) => c.name === 'Dev IdP');
  const settings = {
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    scopes: ['openid', 'email', 'profile', 'groups'],
  };
  const connectionId = existing
    ? (await updateSsoConnection(call, { connectionId: existing.id, ...settings, enabled: true }))
        .result.id
    : (await createSsoConnection(call, { name: 'Dev IdP', ...settings })).result.id;
  if (!existing) {
    const { result: mapping } = await setSsoGroupMapping(call, {
      connectionId,
      idpGroup: 'marketing-editors',
    });
    const marketing = (await listScopes(call)).items.find((x) => x.name === 'Marketing');
    if (marketing) {
      await assignRole(call, {
        subjectId: mapping.groupId,
        role: 'workspace_editor',
        scopeId: marketing.id,
      });
    }
  }
  const done = `${opts.selfUrl}/sso/dev/done`;
  const uris = await listSsoRedirectUris(call);
  if (!uris.includes(done)) await setSsoRedirectUris(call, { uris: [...uris, done] });

  const router = express.Router();
  router.get('/', (_req, res) => {
    const links = PEOPLE.map(
      (p) =>
        `<li><a href="/sso/dev/start?as=${p.sub}">Sign in as ${p.name}</a> (${p.email}, IdP groups: ${p.groups.join(', ')})</li>`,
    ).join('');
    res
      .type('html')
      .send(
        html(
          `<h1>Dev SSO</h1><p>The dev IdP (${idp.issuer}) is connected to the demo organization (${demo.id}) as connection ${connectionId}. Pick a person; the IdP signs them in without a form.</p><ul>${links}</ul>`,
        ),
      );
  });
  router.get('/start', (req, res) => {
    const who = typeof req.query.as === 'string' ? req.query.as : 'ada';
    idp.signInAs(who);
    const to = new URL('/sso/authorize', opts.selfUrl);
    to.search = new URLSearchParams({
      org: demo.id,
      connection: connectionId,
      redirect_uri: done,
      state: `dev-${who}`,
    }).toString();
    res.redirect(302, to.href);
  });
  router.get('/done', async (req, res) => {
    if (typeof req.query.error === 'string') {
      res
        .status(403)
        .type('html')
        .send(
          html(
            `<h1>Refused</h1><p>${String(req.query.error_description ?? req.query.error).replace(/</g, '&lt;')}</p>`,
          ),
        );
      return;
    }
    try {
      const { result } = await exchangeSsoCode(
        {
          services: s,
          caller: { principal: { kind: 'instance_admin' }, source: 'sso' },
          orgId: demo.id,
        },
        { code: String(req.query.code ?? '') },
      );
      const shown = JSON.stringify(result, null, 2).replace(/</g, '&lt;');
      res
        .type('html')
        .send(
          html(
            `<h1>Signed in</h1><p>What your app's backend gets from <code>sso.exchange</code>:</p><pre>${shown}</pre><p><a href="/sso/dev">Again</a></p>`,
          ),
        );
    } catch (e) {
      res
        .status(401)
        .type('html')
        .send(html(`<h1>Refused</h1><p>${(e as Error).message.replace(/</g, '&lt;')}</p>`));
    }
  });
  return {
    issuer: idp.issuer,
    pageUrl: `${opts.selfUrl}/sso/dev`,
    router,
    close: () => idp.close(),
  };
}

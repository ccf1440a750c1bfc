/**
 * I1 (issue 13): SSO connections per org, managed through the domain: created, listed, changed,
 * enabled and disabled, deleted; the client secret sealed under the instance key and never
 * returned; only an actor standing above every role manages them (R6), the default role obeys
 * canAssign, and one org never reaches another's connections. I2 G3: group mappings share the
 * SCIM directory's groups. On PGlite and PostgreSQL.
 */
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../context.js';
import {
  createDirectoryGroup,
  createRole,
  createSsoConnection,
  deleteSsoConnection,
  getSsoConnection,
  listAudit,
  listSsoConnections,
  listSsoRedirectUris,
  setSsoGroupMapping,
  setSsoRedirectUris,
  startSsoSignIn,
  sweepSsoAttempts,
  updateSsoConnection,
} from '../index.js';
import { instanceSecretKey, openSecret } from '../rules/index.js';
import { createServices, type Services } from '../services.js';
import { offlineIdpFetch, orgWithClients } from '../testing.js';

const SECRET = 'idp-client-secret-do-not-leak-1234567890';

describe.each(testBackends())('SSO connections on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  beforeAll(async () => {
    g = await backend.open();
    // Issuers are checked at creation (oidc-issuer.test.ts); here every one answers.
    s = createServices(g.db, { ssoFetch: offlineIdpFetch });
  });
  afterAll(async () => {
    await g?.close();
  });

  let n = 0;
  async function org() {
    const tag = `${++n}-${Math.random().toString(36).slice(2, 8)}`;
    const o = await orgWithClients(s, { name: `SSO ${tag}`, ownerEmail: `owner-${tag}@sso.test` });
    const client = (roles: Array<{ role: string }>) =>
      o.client(roles, `c${roles.map((r) => r.role).join('+')}`);
    return { orgId: o.orgId, admin: await client([{ role: 'org_admin' }]), client };
  }

  const input = { name: 'Okta', issuer: 'https://acme.okta.test', clientId: 'gh-client' };

  it('I1 a connection is created, listed, changed, disabled and deleted; the secret is sealed and never returned', async () => {
    const o = await org();
    const { result: c } = await createSsoConnection(o.admin, { ...input, clientSecret: SECRET });
    expect(c).toMatchObject({
      id: expect.stringMatching(/^ssoc_/),
      orgId: o.orgId,
      protocol: 'oidc',
      issuer: input.issuer,
      clientId: 'gh-client',
      scopes: ['openid', 'email', 'profile'],
      claims: { email: 'email', emailVerified: 'email_verified', name: 'name', groups: 'groups' },
      enabled: true,
      groupMappings: [],
    });
    const row = await g.db
      .selectFrom('sso_connections')
      .selectAll()
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(row.client_secret_sealed).not.toContain(SECRET);
    const key = await instanceSecretKey(g.db);
    expect(openSecret(key, row.client_secret_sealed!, `sso_connections:${o.orgId}:${c.id}`)).toBe(
      SECRET,
    );
    const { result: off } = await updateSsoConnection(o.admin, {
      connectionId: c.id,
      enabled: false,
      clientSecret: `${SECRET}-2`,
      scopes: ['email', 'groups'],
    });
    expect(off).toMatchObject({ enabled: false, scopes: ['openid', 'email', 'groups'] });
    expect(await listSsoConnections(o.admin)).toEqual([off]);
    expect(await getSsoConnection(o.admin, { connectionId: c.id })).toEqual(off);
    const audit = await listAudit(o.admin, { entityType: 'sso_connection' });
    const everything = JSON.stringify([c, off, audit]);
    expect(everything).not.toContain(SECRET);
    expect(audit.items.map((e) => e.action).sort()).toEqual(['Created', 'Updated']);
    await deleteSsoConnection(o.admin, { connectionId: c.id });
    expect(await listSsoConnections(o.admin)).toEqual([]);
  });

  it('I1 R6 managing connections needs sso.manage and everything any role carries; the default role obeys canAssign', async () => {
    const o = await org();
    const user = await o.client([{ role: 'org_user' }]);
    await expect(
      createSsoConnection(user, { ...input, clientSecret: SECRET }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const { result: role } = await createRole(o.admin, {
      name: 'SSO admin',
      permissions: ['sso.manage', 'sso.read', 'roles.assign', 'members.invite'],
    });
    const ssoAdmin = await o.client([{ role: role.key }]);
    await expect(
      createSsoConnection(ssoAdmin, { ...input, clientSecret: SECRET }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN', details: { code: 'escalation' } });
    expect(await listSsoConnections(ssoAdmin)).toEqual([]);
    await expect(
      createSsoConnection(o.admin, { ...input, clientSecret: SECRET, defaultRole: 'no_such_role' }),
    ).rejects.toMatchObject({ code: 'INVALID' });
    const { result: c } = await createSsoConnection(o.admin, {
      ...input,
      clientSecret: SECRET,
      defaultRole: 'org_admin',
    });
    expect(c.defaultRole).toBe('org_admin');
  });

  it('I1 one org never reaches another org’s connections (NOT_FOUND)', async () => {
    const a = await org();
    const b = await org();
    const { result: c } = await createSsoConnection(a.admin, { ...input, clientSecret: SECRET });
    await expect(getSsoConnection(b.admin, { connectionId: c.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      updateSsoConnection(b.admin, { connectionId: c.id, enabled: false }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      getSsoConnection({ ...b.admin, orgId: a.orgId }, { connectionId: c.id }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('I2 G3 a group mapping takes the SCIM group with that external id, else makes a group; redirect URIs are an exact list', async () => {
    const o = await org();
    const { result: c } = await createSsoConnection(o.admin, { ...input, clientSecret: SECRET });
    const scim: Caller = { principal: { kind: 'system' }, source: 'scim' };
    const { result: dir } = await createDirectoryGroup(
      { services: s, caller: scim, orgId: o.orgId },
      { displayName: 'Engineering', externalId: 'eng-00g1', userIds: [] },
    );
    const { result: shared } = await setSsoGroupMapping(o.admin, {
      connectionId: c.id,
      idpGroup: 'eng-00g1',
    });
    expect(shared).toEqual({ idpGroup: 'eng-00g1', groupId: dir.groupId, createdGroup: false });
    const { result: made } = await setSsoGroupMapping(o.admin, {
      connectionId: c.id,
      idpGroup: 'Designers',
    });
    expect(made.createdGroup).toBe(true);
    expect((await getSsoConnection(o.admin, { connectionId: c.id })).groupMappings).toEqual([
      { idpGroup: 'Designers', groupId: made.groupId },
      { idpGroup: 'eng-00g1', groupId: dir.groupId },
    ]);
    await setSsoRedirectUris(o.admin, {
      uris: ['https://app.acme.test/sso/callback', 'http://127.0.0.1:5000/cb'],
    });
    expect(await listSsoRedirectUris(o.admin)).toEqual([
      'http://127.0.0.1:5000/cb',
      'https://app.acme.test/sso/callback',
    ]);
    await expect(
      setSsoRedirectUris(o.admin, { uris: ['https://app.acme.test/cb#frag'] }),
    ).rejects.toMatchObject({ code: 'INVALID' });
  });

  it('I1 an attempt starts only for an allowlisted redirect_uri and an enabled connection; expired attempts are swept', async () => {
    const o = await org();
    const { result: c } = await createSsoConnection(o.admin, { ...input, clientSecret: SECRET });
    const start = (redirectUri: string) =>
      startSsoSignIn(s, {
        orgId: o.orgId,
        connectionId: c.id,
        redirectUri,
        instanceRedirectUris: [],
      });
    await expect(start('https://app.acme.test/cb')).rejects.toMatchObject({
      code: 'INVALID',
      details: { reason: 'redirect_uri_not_allowed' },
    });
    await setSsoRedirectUris(o.admin, { uris: ['https://app.acme.test/cb'] });
    const r = await start('https://app.acme.test/cb');
    expect(r.provider).toMatchObject({ connectionId: c.id, clientSecret: SECRET });
    const row = await g.db
      .selectFrom('sso_attempts')
      .selectAll()
      .where('org_id', '=', o.orgId)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(r.state);
    expect(row.code_verifier_sealed).not.toContain(r.codeVerifier);
    await updateSsoConnection(o.admin, { connectionId: c.id, enabled: false });
    await expect(start('https://app.acme.test/cb')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const later = new Date(Date.now() + 3 * 24 * 60 * 60 * 1000);
    expect(await sweepSsoAttempts(s, later)).toBeGreaterThanOrEqual(1);
    const left = await g.db
      .selectFrom('sso_attempts')
      .select('id')
      .where('org_id', '=', o.orgId)
      .execute();
    expect(left).toEqual([]);
  });
});

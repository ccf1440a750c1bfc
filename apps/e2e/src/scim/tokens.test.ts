/**
 * S4 SCIM tokens through the command line (X3): the built `gatehouse` CLI
 * (`apps/server/dist/cli.js`) creates, rotates and revokes an org's token against the real
 * server with `--json`; the token provisions that org over HTTP and is stored only as a hash.
 * (Create/rotate/revoke through the API and the SDK's tRPC client: ./provisioning.test.ts.)
 */
import { createHash } from 'node:crypto';
import { createScimClient } from '@gatehouse/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../harness.js';
import { backends, type Env, type Org, request, startEnv } from './harness.js';

interface IssuedJson {
  token: string;
  scimUrl: string;
  revision: number;
  scimToken: { id: string; orgId: string; name: string; secretHint: string };
}

describe.each(backends)('S4 gatehouse scim-token on $name', (backend) => {
  let env: Env;
  let org: Org;
  let other: Org;
  let base: string[];
  let issued: IssuedJson;

  beforeAll(async () => {
    env = await startEnv(backend);
    org = await env.newOrg('CLI tokens');
    other = await env.newOrg('CLI other');
    base = ['--url', env.url, '--key', env.adminKey, '--json'];
  });
  afterAll(async () => {
    await env?.close();
  });

  const storedRow = (id: string) =>
    env.server.gatedb.db
      .selectFrom('scim_tokens')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('S4 scim-token create --org ID --json prints a token that provisions that org, stored hashed', async () => {
    const r = await runCli([...base, 'scim-token', 'create', '--org', org.orgId, '--name', 'Okta']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    issued = JSON.parse(r.stdout) as IssuedJson;
    expect(issued.scimToken).toMatchObject({ orgId: org.orgId, name: 'Okta' });
    expect(issued.token.startsWith(`${issued.scimToken.id}.`)).toBe(true);
    expect(issued.token.endsWith(issued.scimToken.secretHint)).toBe(true);
    expect(issued.scimUrl).toBe(`${env.url}/scim/v2`);
    expect(issued.revision).toBeGreaterThan(0);

    const row = await storedRow(issued.scimToken.id);
    expect(row.secret_hash).toBe(createHash('sha256').update(issued.token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(issued.token.split('.')[1]);

    const scim = createScimClient({ url: env.url, token: issued.token });
    const u = await scim.users.create({ userName: 'via-cli@example.test' });
    expect((await org.scim.users.get(u.id!)).userName).toBe('via-cli@example.test');
    expect((await other.raw('GET', `/Users/${u.id}`)).status).toBe(404);
    const listed = await env.admin.api.scimTokens.list.query({ orgId: org.orgId });
    expect(listed.map((t) => t.id)).toContain(issued.scimToken.id);
    expect(JSON.stringify(listed)).not.toContain(issued.token.split('.')[1]);
  });

  it('S4 scim-token rotate and revoke --json: the old secret stops at once; a revoked token gets 401', async () => {
    const r = await runCli([
      ...base,
      'scim-token',
      'rotate',
      '--org',
      org.orgId,
      '--token',
      issued.scimToken.id,
    ]);
    expect(r.code).toBe(0);
    const rotated = JSON.parse(r.stdout) as IssuedJson;
    expect(rotated.scimToken.id).toBe(issued.scimToken.id);
    expect(rotated.token).not.toBe(issued.token);
    expect((await request(env.url, issued.token, 'GET', '/Users')).status).toBe(401);
    expect((await request(env.url, rotated.token, 'GET', '/Users')).status).toBe(200);
    expect((await storedRow(issued.scimToken.id)).secret_hash).toBe(
      createHash('sha256').update(rotated.token).digest('hex'),
    );

    const v = await runCli([
      ...base,
      'scim-token',
      'revoke',
      '--org',
      org.orgId,
      '--token',
      issued.scimToken.id,
    ]);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({
      id: issued.scimToken.id,
      revokedAt: expect.any(String),
    });
    const refused = await request(env.url, rotated.token, 'GET', '/Users');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(
      'Bearer realm="gatehouse-scim", error="invalid_token"',
    );
    // The org's other token still works.
    expect((await org.raw('GET', '/Users')).status).toBe(200);
  });

  it("S4 the CLI refuses a missing --org, and another org's token id", async () => {
    const missing = await runCli([...base, 'scim-token', 'create']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--org is required');
    const foreign = await runCli([
      ...base,
      'scim-token',
      'revoke',
      '--org',
      other.orgId,
      '--token',
      org.tokenId,
    ]);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(/NOT_FOUND/);
    expect((await org.raw('GET', '/Users')).status).toBe(200);
  });
});

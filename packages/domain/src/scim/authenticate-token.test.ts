/**
 * S4 with issue 15's cache of verified SCIM tokens: a lookup after the first sends no statement
 * for its token, and the cache never outlives what the database says: a revoke or rotate is
 * refused at once, a wrong secret never matches a cached token, and each token keeps resolving
 * to its own org.
 */
import type { Gatedb } from '@gatehouse/db';
import { QueryCounter, testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../api-clients/index.js';
import type { Caller } from '../context.js';
import { addMember } from '../members/index.js';
import { createOrg } from '../orgs/index.js';
import { createServices, type Services } from '../services.js';
import {
  authenticateScimToken,
  createScimToken,
  revokeScimToken,
  rotateScimToken,
} from './index.js';

const admin: Caller = { principal: { kind: 'instance_admin' }, source: 'api' };

describe.each(testBackends())('S4 SCIM token authentication, cached, on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  const counter = new QueryCounter();
  const orgs: string[] = [];

  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db.withPlugin(counter));
    for (const name of ['Tokens A', 'Tokens B']) {
      const { result } = await createOrg(
        { services: s, caller: admin },
        { name, preset: 'flowcode', owner: { email: `owner@${name.replace(' ', '-')}.example` } },
      );
      orgs.push(result.id);
    }
  });
  afterAll(async () => {
    await g?.close();
  });

  const issue = async (orgId: string) =>
    (await createScimToken({ services: s, caller: admin, orgId }, { name: 'IdP' })).result;

  it('a second authentication of the same token sends no statement', async () => {
    const { token, scimToken } = await issue(orgs[0]!);
    expect(await authenticateScimToken(s, token)).toEqual({
      orgId: orgs[0],
      tokenId: scimToken.id,
      name: 'IdP',
    });
    const before = counter.n;
    expect(await authenticateScimToken(s, token)).toMatchObject({ tokenId: scimToken.id });
    expect(counter.n).toBe(before);
  });

  it('a revoked token is refused at once, though it was cached', async () => {
    const { token, scimToken } = await issue(orgs[0]!);
    await authenticateScimToken(s, token);
    await revokeScimToken(
      { services: s, caller: admin, orgId: orgs[0]! },
      { tokenId: scimToken.id },
    );
    await expect(authenticateScimToken(s, token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: `SCIM token ${scimToken.id} is revoked`,
    });
  });

  it("a rotated token's old secret is refused at once; the new one works", async () => {
    const { token, scimToken } = await issue(orgs[0]!);
    await authenticateScimToken(s, token);
    const { result } = await rotateScimToken(
      { services: s, caller: admin, orgId: orgs[0]! },
      { tokenId: scimToken.id },
    );
    await expect(authenticateScimToken(s, token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    expect(await authenticateScimToken(s, result.token)).toMatchObject({ orgId: orgs[0] });
  });

  it('a wrong secret with a cached token id is refused; each token resolves to its own org', async () => {
    const a = await issue(orgs[0]!);
    const b = await issue(orgs[1]!);
    expect(await authenticateScimToken(s, a.token)).toMatchObject({ orgId: orgs[0] });
    expect(await authenticateScimToken(s, b.token)).toMatchObject({ orgId: orgs[1] });
    const forged = `${a.scimToken.id}.${b.token.split('.')[1]}`;
    await expect(authenticateScimToken(s, forged)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    // A write in org B: org A's cached token stays cached; B's is read again, still B's.
    await issue(orgs[1]!);
    const before = counter.n;
    expect(await authenticateScimToken(s, a.token)).toMatchObject({ orgId: orgs[0] });
    expect(counter.n).toBe(before);
    expect(await authenticateScimToken(s, b.token)).toMatchObject({ orgId: orgs[1] });
    expect(counter.n).toBeGreaterThan(before);
  });

  it("issue 15: this process's writes that change no credential keep the token cached; a credential change or another process's write reads it again", async () => {
    const { result: org } = await createOrg(
      { services: s, caller: admin },
      { name: 'Tokens C', preset: 'flowcode', owner: { email: 'owner@tokens-c.example' } },
    );
    const call = { services: s, caller: admin, orgId: org.id };
    const { token } = await issue(org.id);
    await authenticateScimToken(s, token);
    const tokenReads = async () => {
      const before = counter.n;
      expect(await authenticateScimToken(s, token)).toMatchObject({ orgId: org.id });
      return counter.n - before;
    };
    // Members provisioned one after another, as an ingest does: the token stays verified.
    for (const n of [1, 2, 3]) {
      await addMember(call, { email: `m${n}@tokens-c.example`, roles: [{ role: 'org_user' }] });
      expect(await tokenReads()).toBe(0);
    }
    // A credential created: the token is read again (then cached at the new revision).
    await createApiClient(call, { name: 'reader', roles: [{ role: 'org_user' }] });
    expect(await tokenReads()).toBeGreaterThan(0);
    expect(await tokenReads()).toBe(0);
    // This process's own write comes back by NOTIFY: nothing new. Another process's write
    // (a revision this process did not make) reads it again.
    const { revision } = await addMember(call, {
      email: 'm4@tokens-c.example',
      roles: [{ role: 'org_user' }],
    });
    s.engines.onNotify(`${org.id}:${revision}`);
    expect(await tokenReads()).toBe(0);
    s.engines.onNotify(`${org.id}:${revision + 1}`);
    expect(await tokenReads()).toBeGreaterThan(0);
  });

  it('malformed and oversized tokens are refused without a statement', async () => {
    const before = counter.n;
    for (const t of ['', 'nodot', 'sct_x', `sct_${'a'.repeat(300)}.x`, 'cli_abc.def']) {
      await expect(authenticateScimToken(s, t)).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
    }
    expect(counter.n).toBe(before);
  });
});

/**
 * Regressions found by the HTTP fuzz suite (apps/e2e/src/fuzz.e2e.test.ts): inputs that used to
 * end in a database error (500) and are now a clear domain error or an empty page.
 */
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../context.js';
import { createApiClient, createOrg, createScope, listScopes, updateScope } from '../index.js';
import { createServices, type Services } from '../services.js';

const admin: Caller = { principal: { kind: 'instance_admin' }, source: 'api', requestId: 'req_t' };

describe.each(testBackends())('scope inputs on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db);
  });
  afterAll(async () => {
    await g?.close();
  });

  it('an update with no fields is INVALID "nothing to update" (was an SQL syntax error)', async () => {
    const { result: org } = await createOrg(
      { services: s, caller: admin },
      { name: 'Scopes A', preset: 'flowcode' },
    );
    const { result: ws } = await createScope(
      { services: s, caller: admin, orgId: org.id },
      { kind: 'workspace', name: 'W' },
    );
    await expect(
      updateScope({ services: s, caller: admin, orgId: org.id }, { scopeId: ws.id }),
    ).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringMatching(/nothing to update/),
    });
    const { result } = await updateScope(
      { services: s, caller: admin, orgId: org.id },
      { scopeId: ws.id, name: 'W2' },
    );
    expect(result.name).toBe('W2');
  });

  it('a caller that may read no scope gets an empty page (was a NUL sent to the database)', async () => {
    const { result: org } = await createOrg(
      { services: s, caller: admin },
      { name: 'Scopes B', preset: 'flowcode' },
    );
    await createScope(
      { services: s, caller: admin, orgId: org.id },
      { kind: 'workspace', name: 'W' },
    );
    const { result: weak } = await createApiClient(
      { services: s, caller: admin, orgId: org.id },
      { name: 'weak', roles: [] },
    );
    const caller: Caller = {
      principal: { kind: 'client', orgId: org.id, clientId: weak.client.id },
      source: 'api',
    };
    expect(await listScopes({ services: s, caller, orgId: org.id })).toEqual({
      items: [],
      nextCursor: null,
    });
    expect(
      await listScopes({ services: s, caller, orgId: org.id }, { cursor: 'zzz', limit: 1 }),
    ).toMatchObject({
      items: [],
    });
  });
});

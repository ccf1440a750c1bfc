/**
 * Seed 001 (Flowcode) line 89, "Settings: Edit workspace details like the name, description, and
 * avatar": a scope has an avatar like an organization and a group (T1, T2), set on create and on
 * update, audited with the other scope fields; the root scope's avatar is the org's.
 */
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrgCall } from '../call.js';
import type { Caller } from '../context.js';
import {
  createOrg,
  createScope,
  getOrg,
  listAudit,
  listScopes,
  updateOrg,
  updateScope,
} from '../index.js';
import { createServices, type Services } from '../services.js';

const admin: Caller = { principal: { kind: 'instance_admin' }, source: 'api', requestId: 'req_t' };
const PIC = 'https://cdn.flowcode.test/marketing.png';

describe.each(testBackends())('scope avatars on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db);
  });
  afterAll(async () => {
    await g?.close();
  });

  async function flowcodeOrg(): Promise<OrgCall> {
    const { result: org } = await createOrg(
      { services: s, caller: admin },
      { name: `Flowcode ${Math.random()}`, preset: 'flowcode' },
    );
    return { services: s, caller: admin, orgId: org.id };
  }

  it('seed 001 T2: a workspace is created with an avatar, changed and cleared, each change audited', async () => {
    const call = await flowcodeOrg();
    const { result: ws } = await createScope(call, {
      kind: 'workspace',
      name: 'Marketing',
      avatarUrl: PIC,
    });
    expect(ws).toMatchObject({ name: 'Marketing', avatarUrl: PIC });
    const { result: plain } = await createScope(call, { kind: 'workspace', name: 'Events' });
    expect(plain.avatarUrl).toBeNull();

    const next = 'https://cdn.flowcode.test/marketing-2.png';
    const { result: changed } = await updateScope(call, { scopeId: ws.id, avatarUrl: next });
    expect(changed).toMatchObject({ name: 'Marketing', avatarUrl: next });
    const { result: cleared } = await updateScope(call, { scopeId: ws.id, avatarUrl: null });
    expect(cleared.avatarUrl).toBeNull();

    const listed = await listScopes(call);
    expect(listed.items.find((x) => x.id === ws.id)?.avatarUrl).toBeNull();
    const audit = await listAudit(call, { entityType: 'scope', entityId: ws.id });
    expect(
      audit.items
        .map((e) => [
          e.action,
          (e.before as { avatarUrl?: string | null } | null)?.avatarUrl,
          (e.after as { avatarUrl?: string | null }).avatarUrl,
        ])
        .reverse(),
    ).toEqual([
      ['Created', undefined, PIC],
      ['Updated', PIC, next],
      ['Updated', next, null],
    ]);
  });

  it('seed 001 T1 T2: the root scope is the org, so its avatar and the org avatar are one', async () => {
    const call = await flowcodeOrg();
    await updateOrg(call, { avatarUrl: PIC });
    const root = (await listScopes(call)).items.find((x) => x.id === call.orgId);
    expect(root?.avatarUrl).toBe(PIC);
    const next = 'https://cdn.flowcode.test/acme.png';
    await updateScope(call, { scopeId: call.orgId, avatarUrl: next });
    expect((await getOrg(call)).avatarUrl).toBe(next);
  });

  it('seed 001 T2: an update with only an avatar is an update (not "nothing to update")', async () => {
    const call = await flowcodeOrg();
    const { result: ws } = await createScope(call, { kind: 'workspace', name: 'Brand' });
    await expect(updateScope(call, { scopeId: ws.id })).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringMatching(/name, description or avatarUrl/),
    });
    const { revision } = await updateScope(call, { scopeId: ws.id, avatarUrl: PIC });
    // The avatar is not in the engine's snapshot: the write still moves the revision (C6).
    expect((await s.engines.get(call.orgId)).revision).toBe(revision);
  });
});

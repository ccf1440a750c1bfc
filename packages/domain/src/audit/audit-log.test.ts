import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../context.js';
import {
  addMember,
  createApiClient,
  createOrg,
  createScope,
  entryHash,
  listAudit,
  openAuditExport,
  pruneAudit,
  recordAuditEvent,
  updateOrg,
  verifyAuditChain,
} from '../index.js';
import { createServices, type Services } from '../services.js';
import { instanceAdmin as admin, asClient } from '../testing.js';

const DAY = 86_400_000;
const KEY = 'test-audit-signing-key-0123456789abcdef';

describe.each(testBackends())('audit log on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db, { auditSigningKey: KEY });
  });
  afterAll(async () => {
    await g?.close();
  });

  /** A Flowcode org with an admin client, a workspace and a product client (audit.write). */
  async function org(name = 'Audit Co') {
    const { result: o } = await createOrg(
      { services: s, caller: admin },
      {
        name,
        preset: 'flowcode',
        owner: { email: `owner-${Math.random()}@audit.test` },
      },
    );
    const { result: c } = await createApiClient(
      { services: s, caller: admin, orgId: o.id },
      {
        name: 'Console Backend',
        roles: [{ role: 'org_admin' }],
      },
    );
    const caller = asClient(o.id, c.client.id);
    const { result: ws } = await createScope(
      { services: s, caller, orgId: o.id },
      {
        kind: 'workspace',
        name: 'Marketing',
      },
    );
    return {
      orgId: o.id,
      clientId: c.client.id,
      caller,
      call: { services: s, caller, orgId: o.id },
      ws: ws.id,
    };
  }

  async function record(caller: Caller, orgId: string, n: number, scopeId?: string) {
    for (let i = 0; i < n; i++) {
      await recordAuditEvent(
        { services: s, caller, orgId },
        {
          action: 'Flow Created',
          entityType: 'Flow',
          entityId: `flow_${i}`,
          scopeId,
          after: { name: `Flow "${i}", with, commas`, steps: i },
        },
      );
    }
  }

  it('A1 writes and product events racing on one org keep one whole chain (issue 15: the head is read under the lock)', async () => {
    const o = await org('Racing Co');
    // On PostgreSQL these run on separate connections and queue on the org row's lock; each
    // must chain from the entry the write before it appended, not from what its statement saw.
    await Promise.all([
      ...Array.from({ length: 12 }, (_, i) =>
        createScope(o.call, { kind: 'workspace', name: `Racing ${i}` }),
      ),
      ...Array.from({ length: 12 }, (_, i) =>
        recordAuditEvent(o.call, { action: 'Flow Run', entityType: 'Flow', entityId: `f${i}` }),
      ),
    ]);
    const v = await verifyAuditChain(o.call);
    expect(v.broken ?? null).toBeNull();
    expect(v.ok).toBe(true);
    const head = await g.db
      .selectFrom('orgs')
      .select(['audit_seq', 'audit_hash'])
      .where('id', '=', o.orgId)
      .executeTakeFirstOrThrow();
    const last = await g.db
      .selectFrom('audit_log')
      .select(['seq', 'hash'])
      .where('org_id', '=', o.orgId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    expect({ seq: Number(head.audit_seq), hash: head.audit_hash }).toEqual({
      seq: Number(last.seq),
      hash: last.hash,
    });
  });

  it('A3 the product records its own events into the same chain; the revision does not move', async () => {
    const o = await org();
    const before = await g.db
      .selectFrom('orgs')
      .select('revision')
      .where('id', '=', o.orgId)
      .executeTakeFirstOrThrow();
    const e = await recordAuditEvent(o.call, {
      action: 'Flow Created',
      entityType: 'Flow',
      entityId: 'flow_1',
      scopeId: o.ws,
      after: { name: 'Onboarding' },
    });
    expect(e).toMatchObject({
      action: 'Flow Created',
      entityType: 'Flow',
      actorId: o.clientId,
      actorLabel: 'Console Backend',
      scopeId: o.ws,
      revision: before.revision,
      after: { name: 'Onboarding' },
    });
    const page = await listAudit(o.call, { entityType: 'Flow' });
    expect(page.items.map((i) => i.id)).toEqual([e.id]);
    expect((await verifyAuditChain(o.call)).ok).toBe(true);
    await expect(
      recordAuditEvent(o.call, {
        action: 'Deactivated',
        entityType: 'member',
        entityId: 'usr_x',
      }),
    ).rejects.toMatchObject({ code: 'INVALID' });
    // A client without audit.write (a workspace viewer) cannot record.
    const { result: viewer } = await createApiClient(o.call, {
      name: 'viewer',
      roles: [{ role: 'workspace_viewer', scopeId: o.ws }],
    });
    await expect(
      recordAuditEvent(
        { services: s, caller: asClient(o.orgId, viewer.client.id), orgId: o.orgId },
        {
          action: 'Flow Created',
          entityType: 'Flow',
          entityId: 'flow_2',
          scopeId: o.ws,
        },
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      recordAuditEvent(o.call, {
        action: 'X',
        entityType: 'Flow',
        entityId: 'f',
        scopeId: 'scp_nope',
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/scp_nope/) });
  });

  it('A2 filters: actor email or client name, scope subtree, action, entity type, time range; keyset pages', async () => {
    const o = await org();
    const { result: ann } = await addMember(o.call, {
      email: 'Ann.Admin@Audit.test',
      roles: [{ role: 'org_admin' }],
    });
    await record(asClient(o.orgId, o.clientId, ann.userId), o.orgId, 3, o.ws);
    const t = new Date();
    await new Promise((r) => setTimeout(r, 15));
    await record(o.caller, o.orgId, 2);
    const byEmail = await listAudit(o.call, { actor: 'ANN.admin@' });
    expect(byEmail.items).toHaveLength(3);
    expect(byEmail.items.every((i) => i.onBehalfOf === ann.userId)).toBe(true);
    const byClient = await listAudit(o.call, { actor: 'console back' });
    expect(byClient.items.length).toBeGreaterThanOrEqual(6);
    expect((await listAudit(o.call, { actor: 'nobody@' })).items).toHaveLength(0);
    const inWs = await listAudit(o.call, { scopeId: o.ws });
    expect(inWs.items.filter((i) => i.entityType === 'Flow')).toHaveLength(3);
    expect(inWs.items.every((i) => i.scopeId === o.ws)).toBe(true);
    expect((await listAudit(o.call, { action: 'Flow Created', to: t })).items).toHaveLength(3);
    expect((await listAudit(o.call, { action: 'Flow Created', from: t })).items).toHaveLength(2);
    expect(
      (await listAudit(o.call, { entityType: 'scope', action: 'Created' })).items,
    ).toHaveLength(1);
    // Keyset pages: every entry once, newest first.
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const p = await listAudit(o.call, { cursor, limit: 3 });
      seen.push(...p.items.map((i) => i.seq));
      cursor = p.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.at(-1)).toBe(1);
    await expect(listAudit(o.call, { cursor: 'abc' })).rejects.toMatchObject({
      code: 'INVALID',
    });
  });

  it('A2 export streams every matching entry oldest first, in bounded batches', async () => {
    const o = await org();
    await record(o.caller, o.orgId, 7);
    const got: number[] = [];
    for await (const e of await openAuditExport(o.call, { entityType: 'Flow' }, { batchSize: 2 })) {
      got.push(e.seq);
    }
    expect(got).toHaveLength(7);
    expect(got).toEqual([...got].sort((a, b) => a - b));
    await expect(
      openAuditExport(
        { services: s, caller: asClient(o.orgId, 'cli_other'), orgId: 'org_other' },
        {},
      ),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('A4 verify passes on an intact chain and names an entry whose content was changed in SQL', async () => {
    const o = await org();
    await record(o.caller, o.orgId, 5);
    const ok = await verifyAuditChain(o.call, { batchSize: 3 });
    expect(ok).toMatchObject({ ok: true, fromSeq: 1, broken: null, checkpoint: null });
    expect(ok.checked).toBe(ok.toSeq);
    const victim = await g.db
      .selectFrom('audit_log')
      .select(['seq', 'id'])
      .where('org_id', '=', o.orgId)
      .where('entity_id', '=', 'flow_2')
      .executeTakeFirstOrThrow();
    await g.db
      .updateTable('audit_log')
      .set({ after: JSON.stringify({ name: 'innocent' }) })
      .where('org_id', '=', o.orgId)
      .where('seq', '=', victim.seq)
      .execute();
    const v = await verifyAuditChain(o.call, { batchSize: 3 });
    expect(v.ok).toBe(false);
    expect(v.broken).toMatchObject({
      seq: victim.seq,
      entryId: victim.id,
      reason: 'hash_mismatch',
    });
    expect(v.checked).toBe(victim.seq - 1);
  });

  it('A4 verify names a deleted entry, a deleted newest entry, and a replaced one', async () => {
    const o = await org();
    await record(o.caller, o.orgId, 4);
    const rows = await g.db
      .selectFrom('audit_log')
      .selectAll()
      .where('org_id', '=', o.orgId)
      .orderBy('seq')
      .execute();
    const mid = rows[3]!;
    await g.db
      .deleteFrom('audit_log')
      .where('org_id', '=', o.orgId)
      .where('seq', '=', mid.seq)
      .execute();
    expect((await verifyAuditChain(o.call)).broken).toMatchObject({
      seq: mid.seq,
      entryId: null,
      reason: 'missing_entry',
    });
    await g.db.insertInto('audit_log').values(mid).execute();
    expect((await verifyAuditChain(o.call)).ok).toBe(true);
    const last = rows.at(-1)!;
    await g.db
      .deleteFrom('audit_log')
      .where('org_id', '=', o.orgId)
      .where('seq', '=', last.seq)
      .execute();
    expect((await verifyAuditChain(o.call)).broken).toMatchObject({
      seq: last.seq,
      reason: 'missing_entry',
    });
    await g.db.insertInto('audit_log').values(last).execute();
    // Rewrite an entry and recompute its own hash: the next entry no longer follows it.
    const forged = { ...mid, action: 'Nothing happened' };
    await g.db
      .updateTable('audit_log')
      .set({ action: forged.action, hash: entryHash(mid.prev_hash, forged) })
      .where('org_id', '=', o.orgId)
      .where('seq', '=', mid.seq)
      .execute();
    expect((await verifyAuditChain(o.call)).broken).toMatchObject({
      seq: Number(mid.seq) + 1,
      reason: 'prev_hash_mismatch',
    });
  });

  it('A4 retention prunes old entries and verify passes from the signed checkpoint; the chain continues', async () => {
    const o = await org();
    await record(o.caller, o.orgId, 6);
    await new Promise((r) => setTimeout(r, 15));
    const cutoff = new Date();
    await new Promise((r) => setTimeout(r, 15));
    await record(o.caller, o.orgId, 3);
    // No retention set: nothing happens.
    expect((await pruneAudit(o.call)).result).toEqual({
      retentionDays: null,
      pruned: 0,
      throughSeq: null,
    });
    await updateOrg(o.call, { settings: { auditRetentionDays: 30 } });
    await expect(updateOrg(o.call, { settings: { auditRetentionDays: -1 } })).rejects.toMatchObject(
      { code: 'INVALID' },
    );
    const before = await g.db
      .selectFrom('audit_log')
      .select(['seq', 'hash'])
      .where('org_id', '=', o.orgId)
      .where('at', '<', cutoff)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    const { result } = await pruneAudit(o.call, {
      now: new Date(cutoff.getTime() + 30 * DAY),
    });
    expect(result).toMatchObject({ retentionDays: 30, throughSeq: Number(before.seq) });
    expect(result.pruned).toBe(Number(before.seq));
    const left = await g.db
      .selectFrom('audit_log')
      .select('seq')
      .where('org_id', '=', o.orgId)
      .orderBy('seq')
      .execute();
    expect(Number(left[0]!.seq)).toBe(Number(before.seq) + 1);
    const v = await verifyAuditChain(o.call);
    expect(v).toMatchObject({
      ok: true,
      fromSeq: Number(before.seq) + 1,
      checkpoint: { seq: Number(before.seq) },
    });
    const pruned = await listAudit(o.call, { action: 'Pruned', entityType: 'audit' });
    expect(pruned.items[0]!.after).toMatchObject({
      pruned: result.pruned,
      checkpointHash: before.hash,
    });
    await record(o.caller, o.orgId, 2);
    expect((await verifyAuditChain(o.call)).ok).toBe(true);
    // Everything old: the log empties, and the next entry chains from the checkpoint.
    const all = await pruneAudit(o.call, { now: new Date(Date.now() + 31 * DAY) });
    expect(all.result.pruned).toBeGreaterThan(0);
    expect((await verifyAuditChain(o.call)).ok).toBe(true);
    await record(o.caller, o.orgId, 1);
    const after = await verifyAuditChain(o.call);
    expect(after).toMatchObject({
      ok: true,
      checked: 2,
      checkpoint: { seq: all.result.throughSeq },
    });
  });

  it('A4 a forged or edited checkpoint, or one signed with another key, is detected', async () => {
    const o = await org();
    await record(o.caller, o.orgId, 4);
    await updateOrg(o.call, { settings: { auditRetentionDays: 1 } });
    const { result } = await pruneAudit(o.call, {
      now: new Date(Date.now() + 2 * DAY),
    });
    await record(o.caller, o.orgId, 2);
    expect((await verifyAuditChain(o.call)).ok).toBe(true);
    // Another instance key: the checkpoint is not ours.
    const otherKey = createServices(g.db, { auditSigningKey: `${KEY}-rotated` });
    expect(
      (await verifyAuditChain({ services: otherKey, caller: o.caller, orgId: o.orgId })).broken,
    ).toMatchObject({
      seq: result.throughSeq,
      reason: 'checkpoint_signature',
    });
    // Someone deletes more entries and moves the checkpoint forward without the key.
    const cp = await g.db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .where('org_id', '=', o.orgId)
      .executeTakeFirstOrThrow();
    const next = await g.db
      .selectFrom('audit_log')
      .selectAll()
      .where('org_id', '=', o.orgId)
      .where('seq', '=', Number(cp.seq) + 1)
      .executeTakeFirstOrThrow();
    await g.db
      .deleteFrom('audit_log')
      .where('org_id', '=', o.orgId)
      .where('seq', '=', next.seq)
      .execute();
    await g.db
      .insertInto('audit_checkpoints')
      .values({ ...cp, seq: Number(next.seq), hash: next.hash })
      .execute();
    const v = await verifyAuditChain(o.call);
    expect(v.ok).toBe(false);
    expect(v.broken).toMatchObject({ seq: Number(next.seq), reason: 'checkpoint_signature' });
    expect(v.broken!.message).toMatch(/forged or edited/);
    // Removing the forged checkpoint leaves a gap that the genuine checkpoint exposes.
    await g.db
      .deleteFrom('audit_checkpoints')
      .where('org_id', '=', o.orgId)
      .where('seq', '=', Number(next.seq))
      .execute();
    expect((await verifyAuditChain(o.call)).broken).toMatchObject({
      seq: Number(next.seq),
      reason: 'missing_entry',
    });
    // Without any checkpoint the log no longer starts at the beginning.
    await g.db.deleteFrom('audit_checkpoints').where('org_id', '=', o.orgId).execute();
    expect((await verifyAuditChain(o.call)).broken).toMatchObject({
      seq: 1,
      reason: 'missing_entry',
    });
  });

  it('A4 pruning refuses to delete a tampered part of the chain', async () => {
    const o = await org();
    await record(o.caller, o.orgId, 3);
    await updateOrg(o.call, { settings: { auditRetentionDays: 1 } });
    await g.db
      .updateTable('audit_log')
      .set({ entity_id: 'flow_evil' })
      .where('org_id', '=', o.orgId)
      .where('entity_id', '=', 'flow_1')
      .execute();
    await expect(pruneAudit(o.call, { now: new Date(Date.now() + 2 * DAY) })).rejects.toMatchObject(
      { code: 'INVARIANT' },
    );
    expect(
      await g.db
        .selectFrom('audit_checkpoints')
        .select('seq')
        .where('org_id', '=', o.orgId)
        .execute(),
    ).toHaveLength(0);
  });
});

/**
 * The audit log end to end (A2–A4): the real server, the SDK's streamed export helpers and the
 * built `gatehouse audit verify / prune` commands, whose exit code says whether the chain holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, runCli, startTestServer, type TestServer } from './harness.js';

describe.each(backends)('audit log end to end on $name', (backend) => {
  let t: TestServer;
  let orgId: string;
  let key: string;
  beforeAll(async () => {
    t = await startTestServer(backend);
    const { result: org } = await t.admin.api.orgs.create.mutate({
      name: 'Audit E2E',
      preset: 'flowcode',
      owner: { email: 'owner@audit-e2e.test' },
    });
    orgId = org.id;
    const { result: issued } = await t.admin.api.apiClients.create.mutate({
      orgId,
      name: 'product',
      roles: [{ role: 'org_admin' }],
    });
    key = issued.key;
    for (let i = 0; i < 5; i++) {
      await t.connect(key).api.audit.record.mutate({
        orgId,
        action: 'Flow Created',
        entityType: 'Flow',
        entityId: `flow_${i}`,
        after: { name: `Flow, "${i}"` },
      });
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('A2 the SDK streams the export: parsed NDJSON entries and the raw CSV', async () => {
    const gh = t.connect(key);
    const flows = [];
    for await (const e of gh.auditEntries({ orgId, entityType: 'Flow' })) flows.push(e);
    expect(flows.map((e) => e.entityId)).toEqual([0, 1, 2, 3, 4].map((i) => `flow_${i}`));
    expect(flows[0]).toMatchObject({ action: 'Flow Created', after: { name: 'Flow, "0"' } });
    const csv = await (await gh.exportAudit({ orgId, format: 'csv', entityType: 'Flow' })).text();
    expect(csv.split('\r\n')[0]).toMatch(/^seq,id,at,actor_id,/);
    expect(csv).toContain('"{""name"":""Flow, \\""0\\""""}"');
    await expect(t.connect('nope').exportAudit({ orgId })).rejects.toThrow(/401/);
  });

  it('A4 `gatehouse audit verify` exits 0 on an intact chain and 1 naming the tampered entry', async () => {
    const base = ['--url', t.url, '--key', t.adminKey];
    const ok = await runCli([...base, 'audit', 'verify', '--org', orgId]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^OK: \d+ entries verified/);
    const pruned = await runCli([...base, 'audit', 'prune', '--org', orgId]);
    expect(pruned).toMatchObject({ code: 0 });
    expect(pruned.stdout).toMatch(/no retention set/);
    const victim = await t.server.gatedb.db
      .selectFrom('audit_log')
      .select(['seq', 'id'])
      .where('org_id', '=', orgId)
      .where('entity_id', '=', 'flow_3')
      .executeTakeFirstOrThrow();
    await t.server.gatedb.db
      .updateTable('audit_log')
      .set({ after: JSON.stringify({ name: 'nothing to see' }) })
      .where('org_id', '=', orgId)
      .where('seq', '=', victim.seq)
      .execute();
    const broken = await runCli([...base, '--json', 'audit', 'verify', '--org', orgId]);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({
      ok: false,
      broken: { seq: Number(victim.seq), entryId: victim.id, reason: 'hash_mismatch' },
    });
    const human = await runCli([...base, 'audit', 'verify', '--org', orgId]);
    expect(human.stdout).toContain(`BROKEN at entry ${victim.seq} (${victim.id})`);
  });
});

/**
 * Automatic audit retention (A4): a pass prunes exactly the orgs with entries older than their
 * `auditRetentionDays`, the chains still verify from the signed checkpoints, and the job claim
 * lets one process run a pass per interval (two pools on one PostgreSQL database stand in for
 * two server processes). On PGlite and PostgreSQL.
 */
import { createDb, type Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../context.js';
import {
  AUDIT_RETENTION_JOB,
  claimJob,
  createApiClient,
  createOrg,
  finishJob,
  listAudit,
  pruneDueOrgs,
  recordAuditEvent,
  runAuditRetention,
  updateOrg,
  verifyAuditChain,
} from '../index.js';
import { createServices, type Services } from '../services.js';
import { instanceAdmin as admin } from '../testing.js';

const DAY = 86_400_000;

describe.each(testBackends())('audit retention job on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  /** A second handle on the same database (PostgreSQL only): another process's pool. */
  let other: { g: Gatedb; drop(): Promise<void> } | null = null;
  beforeAll(async () => {
    if (backend.freshUrl) {
      const fresh = await backend.freshUrl();
      g = await createDb({ url: fresh.url });
      other = { g: await createDb({ url: fresh.url }), drop: fresh.drop };
    } else {
      g = await backend.open();
    }
    s = createServices(g.db);
  });
  afterAll(async () => {
    await other?.g.close();
    await g?.close();
    await other?.drop();
  });

  async function org(retentionDays: number | null) {
    const { result: o } = await createOrg(
      { services: s, caller: admin },
      { name: 'Retention', preset: 'flowcode' },
    );
    const { result } = await createApiClient(
      { services: s, caller: admin, orgId: o.id },
      {
        name: 'backend',
        roles: [{ role: 'org_admin' }],
      },
    );
    const caller: Caller = {
      principal: { kind: 'client', orgId: o.id, clientId: result.client.id },
      source: 'api',
    };
    if (retentionDays !== null) {
      await updateOrg(
        { services: s, caller, orgId: o.id },
        { settings: { auditRetentionDays: retentionDays } },
      );
    }
    for (let i = 0; i < 3; i++) {
      await recordAuditEvent(
        { services: s, caller, orgId: o.id },
        {
          action: 'Flow Created',
          entityType: 'Flow',
          entityId: `flow_${i}`,
        },
      );
    }
    return { orgId: o.id, caller };
  }

  const revisionOf = async (orgId: string) =>
    (
      await g.db
        .selectFrom('orgs')
        .select('revision')
        .where('id', '=', orgId)
        .executeTakeFirstOrThrow()
    ).revision;

  it('A4 a pass prunes only the orgs with entries past their retention; chains verify; a broken chain is reported and skipped', async () => {
    const due = await org(30);
    const young = await org(60);
    const none = await org(null);
    const broken = await org(30);
    await g.db
      .updateTable('audit_log')
      .set({ action: 'Nothing happened' })
      .where('org_id', '=', broken.orgId)
      .where('seq', '=', 2)
      .execute();
    const untouched = { young: await revisionOf(young.orgId), none: await revisionOf(none.orgId) };
    const later = createServices(g.db, { now: () => new Date(Date.now() + 45 * DAY) });

    const pass = await pruneDueOrgs(later);
    expect(pass.pruned.map((p) => p.orgId)).toContain(due.orgId);
    expect(pass.pruned.map((p) => p.orgId)).not.toContain(young.orgId);
    expect(pass.failed).toEqual(
      expect.arrayContaining([
        { orgId: broken.orgId, error: expect.stringContaining('chain is broken at entry 2') },
      ]),
    );
    const v = await verifyAuditChain({ services: s, caller: due.caller, orgId: due.orgId });
    expect(v).toMatchObject({ ok: true, checkpoint: { seq: expect.any(Number) } });
    const pruned = await listAudit(
      { services: s, caller: due.caller, orgId: due.orgId },
      { action: 'Pruned' },
    );
    expect(pruned.items[0]).toMatchObject({ actorId: 'system', source: 'system' });
    // Orgs with nothing due are not written to at all.
    expect(await revisionOf(young.orgId)).toBe(untouched.young);
    expect(await revisionOf(none.orgId)).toBe(untouched.none);
    // Now (the clock no longer moved), nothing more is due.
    const again = await pruneDueOrgs(s);
    expect(again.pruned.map((p) => p.orgId)).not.toContain(due.orgId);
  });

  it('A4 the job claim: one runner per interval across processes; a held claim blocks; a lapsed lease frees it', async () => {
    const name = `test_job_${backend.name}`;
    const dbs = [g.db, other?.g.db ?? g.db];
    const claims = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        claimJob(dbs[i % 2]!, name, { owner: `p${i}`, intervalMs: 3_600_000, leaseMs: 60_000 }),
      ),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    const holder = `p${claims.indexOf(true)}`;
    // Held: not even a zero interval gets it.
    expect(await claimJob(g.db, name, { owner: 'x', intervalMs: 0, leaseMs: 60_000 })).toBe(false);
    await finishJob(g.db, name, holder);
    // Released, but the last start is younger than the interval.
    expect(await claimJob(g.db, name, { owner: 'x', intervalMs: 3_600_000, leaseMs: 1 })).toBe(
      false,
    );
    expect(await claimJob(g.db, name, { owner: 'x', intervalMs: 0, leaseMs: 1 })).toBe(true);
    // 'x' died holding a 1 ms lease: the next process takes over.
    await new Promise((r) => setTimeout(r, 20));
    expect(await claimJob(g.db, name, { owner: 'y', intervalMs: 0, leaseMs: 60_000 })).toBe(true);
  });

  it('A4 runAuditRetention runs one pass per interval even when several processes tick at once', async () => {
    await g.db.deleteFrom('job_claims').where('name', '=', AUDIT_RETENTION_JOB).execute();
    const later = createServices(g.db, { now: () => new Date(Date.now() + 45 * DAY) });
    const peer = other ? createServices(other.g.db, { now: later.options!.now }) : later;
    const due = await org(30);
    const passes = await Promise.all([
      runAuditRetention(later, { intervalMs: 3_600_000 }),
      runAuditRetention(peer, { intervalMs: 3_600_000 }),
      runAuditRetention(later, { intervalMs: 3_600_000 }),
    ]);
    const ran = passes.filter((p) => p !== null);
    expect(ran).toHaveLength(1);
    expect(ran[0]!.pruned.map((p) => p.orgId)).toContain(due.orgId);
    expect(
      (await listAudit({ services: s, caller: due.caller, orgId: due.orgId }, { action: 'Pruned' }))
        .items,
    ).toHaveLength(1);
    expect((await verifyAuditChain({ services: s, caller: due.caller, orgId: due.orgId })).ok).toBe(
      true,
    );
    expect(await runAuditRetention(later, { intervalMs: 3_600_000 })).toBeNull();
  });
});

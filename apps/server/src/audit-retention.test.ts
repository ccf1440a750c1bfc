/**
 * The audit retention worker in the real server (A4): with a short interval it prunes an org's
 * entries older than `auditRetentionDays` by itself, logs the pass, and the chain still verifies
 * from the signed checkpoint. Two servers on one PostgreSQL database prune once, not twice.
 * `GATEHOUSE_AUDIT_PRUNE_INTERVAL_SECONDS=0` turns it off.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { testBackends } from '@gatehouse/db/testing';
import { appendSyntheticAudit } from '@gatehouse/domain/testing';
import { createGatehouse } from '@gatehouse/sdk';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuditRetention } from './audit-retention.js';
import { configFromEnv } from './config.js';
import { type RunningServer, startServer } from './server.js';

const DAY = 86_400_000;
const adminKey = `gh_admin_${randomBytes(24).toString('base64url')}`;

/** A pino logger whose lines are kept (parsed) for assertions. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(testBackends())('audit retention worker on $name', (backend) => {
  const servers: RunningServer[] = [];
  const logs: Array<ReturnType<typeof capturingLogger>> = [];
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const fresh = backend.freshUrl ? await backend.freshUrl() : undefined;
    drop = fresh?.drop;
    // Two processes on PostgreSQL; PGlite in memory is one process's database.
    for (let i = 0; i < (fresh ? 2 : 1); i++) {
      const log = capturingLogger();
      logs.push(log);
      servers.push(
        await startServer(
          {
            host: '127.0.0.1',
            port: 0,
            databaseUrl: fresh?.url,
            dataDir: undefined,
            adminKey,
            seedDemo: false,
            logLevel: 'info',
            auditPruneIntervalMs: 300,
          },
          log.logger,
        ),
      );
    }
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await drop?.();
  });

  it('A4 prunes past-retention entries by itself, once across processes; the chain still verifies', async () => {
    const gh = createGatehouse({ url: servers[0]!.url, apiKey: adminKey });
    const { result: org } = await gh.api.orgs.create.mutate({ name: 'Kept', preset: 'flowcode' });
    await gh.api.orgs.update.mutate({ orgId: org.id, settings: { auditRetentionDays: 30 } });
    const through = await appendSyntheticAudit(servers[0]!.gatedb.db, org.id, 40, {
      start: new Date(Date.now() - 60 * DAY),
    });
    const checkpoint = await until('the checkpoint', () =>
      servers[0]!.gatedb.db
        .selectFrom('audit_checkpoints')
        .selectAll()
        .where('org_id', '=', org.id)
        .executeTakeFirst(),
    );
    expect(Number(checkpoint.seq)).toBe(through);
    const v = await gh.api.audit.verify.query({ orgId: org.id });
    expect(v).toMatchObject({ ok: true, fromSeq: through + 1, checkpoint: { seq: through } });
    // Let every process tick a few more times: still one prune, no failure logged.
    await new Promise((r) => setTimeout(r, 1200));
    const pruned = await gh.api.audit.list.query({ orgId: org.id, action: 'Pruned' });
    expect(pruned.items).toHaveLength(1);
    expect(pruned.items[0]).toMatchObject({ actorId: 'system', source: 'system' });
    const lines = logs.flatMap((l) => l.lines);
    expect(lines.filter((l) => l.orgId === org.id && l.pruned === through)).toHaveLength(1);
    expect(lines.some((l) => l.msg === 'audit retention pass done')).toBe(true);
    expect(lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
    expect((await gh.api.audit.verify.query({ orgId: org.id })).ok).toBe(true);
  });

  it('A4 an interval of 0 turns the worker off; the variable is validated', async () => {
    const off = startAuditRetention({
      services: servers[0]!.services,
      logger: pino({ level: 'silent' }),
      intervalMs: 0,
    });
    expect(off.enabled).toBe(false);
    expect(
      configFromEnv({ GATEHOUSE_AUDIT_PRUNE_INTERVAL_SECONDS: '0' }).auditPruneIntervalMs,
    ).toBe(0);
    expect(
      configFromEnv({ GATEHOUSE_AUDIT_PRUNE_INTERVAL_SECONDS: '90' }).auditPruneIntervalMs,
    ).toBe(90_000);
    expect(configFromEnv({}).auditPruneIntervalMs).toBeUndefined();
    expect(() => configFromEnv({ GATEHOUSE_AUDIT_PRUNE_INTERVAL_SECONDS: 'hourly' })).toThrow(
      /GATEHOUSE_AUDIT_PRUNE_INTERVAL_SECONDS must be a number/,
    );
    expect(configFromEnv({ GATEHOUSE_SESSION_TTL_MINUTES: '30' }).sessionTtlMs).toBe(1_800_000);
    const throttle = configFromEnv({
      GATEHOUSE_LOGIN_MAX_FAILURES: '0',
      GATEHOUSE_LOGIN_WINDOW_MINUTES: '5',
    });
    expect([throttle.loginMaxFailures, throttle.loginWindowMs]).toEqual([0, 300_000]);
    expect(() => configFromEnv({ GATEHOUSE_LOGIN_MAX_FAILURES: '2.5' })).toThrow(
      /GATEHOUSE_LOGIN_MAX_FAILURES must be a whole number of at least 0/,
    );
  });
});

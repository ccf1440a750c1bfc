/**
 * `GET /health` tells a script whether the server is up and whether the demo organization is
 * there (issue 16: `.ci/run` waits for it after the README's first command), and nothing more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from './server.js';

async function health(server: RunningServer): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.url}/health`);
  return { status: res.status, body: await res.json() };
}

describe('/health reports the demo organization for start-up scripts (issue 16)', () => {
  let withDemo: RunningServer;
  let withoutDemo: RunningServer;
  beforeAll(async () => {
    const config = {
      host: '127.0.0.1',
      port: 0,
      databaseUrl: undefined,
      dataDir: undefined,
      adminKey: 'health-test-admin-key',
      logLevel: 'silent',
    };
    [withDemo, withoutDemo] = await Promise.all([
      startServer({ ...config, seedDemo: true }),
      startServer({ ...config, seedDemo: false }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([withDemo?.close(), withoutDemo?.close()]);
  });

  it('answers ok and demo: true once the demo org is seeded, with no ids or keys', async () => {
    expect(withDemo.demo).not.toBeNull();
    expect(await health(withDemo)).toEqual({ status: 200, body: { ok: true, demo: true } });
  });

  it('answers demo: false without it (GATEHOUSE_DEMO=0)', async () => {
    expect(await health(withoutDemo)).toEqual({ status: 200, body: { ok: true, demo: false } });
  });
});

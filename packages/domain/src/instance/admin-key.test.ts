/**
 * The instance admin key comparison (issue 10 §4): digests compared in constant time, so a
 * caller learns nothing about the key, not even its length, and every key of any length is
 * answered by the same code path.
 */
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../services.js';
import { ADMIN_KEY_PREFIX, ensureAdminKey, isAdminKey } from './admin-key.js';

const ENV_KEY = 'env-admin-key-0123456789abcdefghijklmnop';

describe.each(testBackends())('instance admin key on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db);
  });
  afterAll(async () => {
    await g?.close();
  });

  it('the configured key: only the exact key matches, whatever the length presented', async () => {
    expect(await isAdminKey(s, ENV_KEY, ENV_KEY)).toBe(true);
    const wrong = [
      '',
      'x',
      ENV_KEY.slice(0, -1),
      `${ENV_KEY}x`,
      `${ENV_KEY.slice(0, -1)}X`,
      ENV_KEY.toUpperCase(),
      ENV_KEY.repeat(100),
      'é'.repeat(ENV_KEY.length),
    ];
    for (const key of wrong) expect(await isAdminKey(s, key, ENV_KEY)).toBe(false);
  });

  it('property: any presented key against any configured key matches exactly when equal', async () => {
    // Full Unicode keys of every length (headers cannot carry lone surrogates).
    const key = fc.string({ unit: 'binary', maxLength: 80 });
    await fc.assert(
      fc.asyncProperty(key, key, async (presented, configured) => {
        fc.pre(configured !== '');
        expect(await isAdminKey(s, presented, configured)).toBe(presented === configured);
        expect(await isAdminKey(s, configured, configured)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a key of another length takes as long to refuse as one of the right length', async () => {
    // A length check before the comparison answered a wrong-length key in nanoseconds (about
    // 1/500 of the time of a same-length one); comparing digests takes the same work either way.
    const sameLength = `${ENV_KEY.slice(0, -1)}X`;
    const batch = async (key: string) => {
      const t = process.hrtime.bigint();
      for (let i = 0; i < 500; i++) await isAdminKey(s, key, ENV_KEY);
      return Number(process.hrtime.bigint() - t);
    };
    const short: number[] = [];
    const same: number[] = [];
    for (let round = 0; round < 31; round++) {
      short.push(await batch('x'));
      same.push(await batch(sameLength));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;
    expect(median(short) / median(same)).toBeGreaterThan(0.3);
  });

  it('a generated, stored key: matches itself only', async () => {
    const key = await ensureAdminKey(s);
    expect(key?.startsWith(ADMIN_KEY_PREFIX)).toBe(true);
    expect(await isAdminKey(s, key!)).toBe(true);
    for (const wrong of [ADMIN_KEY_PREFIX, key!.slice(0, -1), `${key}a`, `${key!.slice(0, -1)}_`]) {
      expect(await isAdminKey(s, wrong)).toBe(false);
    }
    expect(await ensureAdminKey(s)).toBeNull();
  });
});

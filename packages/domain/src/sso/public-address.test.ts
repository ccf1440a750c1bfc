/**
 * SSRF guard (./public-address.ts, ./public-network-fetch.ts): which addresses are public, as a
 * table, including the forms the URL parser turns into an IP (`http://2130706433/`,
 * `http://0x7f.1/`); and a real loopback server that the public-only fetch never reaches, whether
 * named by an IP literal or by `localhost` (refused at connect time, after the lookup).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicAddress } from './public-address.js';
import { guardedAgent, publicNetworkFetch } from './public-network-fetch.js';

const table: Array<[string, boolean]> = [
  ['8.8.8.8', true],
  ['93.184.215.14', true],
  ['2606:4700:4700::1111', true],
  ['127.0.0.1', false],
  ['10.1.2.3', false],
  ['172.16.0.1', false],
  ['192.168.1.1', false],
  ['169.254.169.254', false],
  ['100.64.0.1', false],
  ['0.0.0.0', false],
  ['224.0.0.1', false],
  ['255.255.255.255', false],
  ['::', false],
  ['::1', false],
  ['[::1]', false],
  ['fd00::1', false],
  ['fe80::1%eth0', false],
  ['ff02::1', false],
  ['::ffff:127.0.0.1', false],
  ['::ffff:7f00:1', false],
  ['::ffff:8.8.8.8', true],
  ['64:ff9b::10.0.0.1', false],
  ['64:ff9b::8.8.8.8', true],
  ['2002:7f00:1::', false],
  ['not-an-ip', false],
];

describe('public addresses', () => {
  it.each(table)('%s is public: %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it('the forms the URL parser normalizes to loopback are not public', () => {
    for (const url of ['http://2130706433/', 'http://0x7f.1/', 'http://127.1/', 'http://[::1]/']) {
      expect(isPublicAddress(new URL(url).hostname), url).toBe(false);
    }
  });
});

describe('public-only fetch on a real loopback server', () => {
  let hits = 0;
  let port = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.end('ok');
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('refuses loopback literals, normalized forms and localhost, and sends nothing', async () => {
    for (const host of ['127.0.0.1', '2130706433', '0x7f.1', 'localhost']) {
      await expect(publicNetworkFetch(`http://${host}:${port}/`), host).rejects.toSatisfy((e) =>
        /127\.0\.0\.1.* is not a public address; set GATEHOUSE_SSO_ALLOW_PRIVATE_NETWORK=1/.test(
          String((e as Error).message) + String(((e as Error).cause as Error)?.message),
        ),
      );
    }
    expect(hits).toBe(0);
  });

  it('the same agent connects when its rule allows the address (the guard is not a wall)', async () => {
    const agent = guardedAgent(() => true);
    const res = await fetch(`http://localhost:${port}/`, { dispatcher: agent } as RequestInit);
    expect(await res.text()).toBe('ok');
    expect(hits).toBe(1);
    await agent.close();
  });
});

/**
 * Issue 15: the bench's lean SCIM client fetch (lean-fetch.ts) gives the SDK's SCIM client what
 * Node's fetch gives it, against a real server on loopback: answers, errors and headers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createScimClient, ScimError } from '@gatehouse/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leanFetch } from './lean-fetch.js';

describe('lean fetch for the bench SCIM client', () => {
  let server: Server;
  let url: string;
  const seen: { method: string; auth: string; type: string; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        seen.push({
          method: req.method ?? '',
          auth: req.headers.authorization ?? '',
          type: req.headers['content-type'] ?? '',
          body,
        });
        if (req.url?.endsWith('/Users/missing')) {
          res.writeHead(404, { 'content-type': 'application/scim+json' });
          res.end(JSON.stringify({ status: '404', scimType: 'noTarget', detail: 'no such user' }));
          return;
        }
        const user = { ...JSON.parse(body || '{}'), id: 'usr_1', name: { givenName: 'Zoë' } };
        res.writeHead(201, {
          'content-type': 'application/scim+json',
          'x-gatehouse-revision': '7',
        });
        res.end(JSON.stringify(user));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers as fetch does: body, status, revision header, errors', async () => {
    const answers = [];
    for (const f of [fetch, leanFetch(2)]) {
      const scim = createScimClient({ url, token: 'tok', fetch: f });
      const created = await scim.users.create({ userName: 'a@b.test' });
      const error = await scim.users.get('missing').catch((e: unknown) => e);
      answers.push({ created, revision: scim.lastRevision, error });
    }
    expect(answers[1]!.created).toEqual(answers[0]!.created);
    expect(answers[1]!.created).toMatchObject({ id: 'usr_1', name: { givenName: 'Zoë' } });
    expect(answers[1]!.revision).toBe(7);
    expect(answers[1]!.error).toBeInstanceOf(ScimError);
    expect(answers[1]!.error).toEqual(answers[0]!.error);
    expect((answers[1]!.error as ScimError).status).toBe(404);
    expect(seen[2]).toEqual(seen[0]);
    expect(seen[2]).toMatchObject({ method: 'POST', auth: 'Bearer tok' });
  });

  it('rejects when nothing listens', async () => {
    await expect(leanFetch(1)('http://127.0.0.1:9/x')).rejects.toThrow();
  });
});

import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgeError } from './edge-error.js';
import { readBody } from './read-body.js';

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    readBody(req, 100).then(
      (buf) => res.end(`ok ${buf.length}`),
      (e: EdgeError) => {
        res.statusCode = e.status;
        res.end(e.message);
      },
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function send(
  body: string | string[],
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    for (const part of Array.isArray(body) ? body : [body]) req.write(part);
    req.end();
  });
}

describe('readBody', () => {
  it('reads a body within the limit', async () => {
    expect(await send('x'.repeat(100))).toEqual({ status: 200, text: 'ok 100' });
  });
  it('refuses a declared length past the limit, and a streamed body past it', async () => {
    expect(await send('x'.repeat(101))).toMatchObject({ status: 413 });
    const chunked = await send(['x'.repeat(60), 'x'.repeat(60)], {
      'transfer-encoding': 'chunked',
    });
    expect(chunked).toEqual({ status: 413, text: 'the request body is larger than 100 bytes' });
  });
  it('refuses compressed bodies', async () => {
    expect(await send('x', { 'content-encoding': 'gzip' })).toMatchObject({ status: 415 });
  });
});

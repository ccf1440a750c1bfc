/**
 * Hand-written hostile requests to `/trpc` and `/audit/export`: bodies too large, too deep,
 * malformed or of the wrong type; odd paths, methods, batches and headers; query strings with
 * odd values. Each runs with several credentials.
 */
import fc from 'fast-check';
import type { FuzzRequest } from './client.js';
import type { FuzzWorld } from './fixture.js';
import { hostileString, nested, urlEncode } from './hostile.js';

const deep = (d: number) => `${'['.repeat(d)}${']'.repeat(d)}`;

/** Hostile requests to `/trpc` (each with each credential). */
export function rawTrpcRequests(world: FuzzWorld): FuzzRequest[] {
  const org = world.orgA.orgId;
  const json = { 'content-type': 'application/json' };
  const cases: Array<Omit<FuzzRequest, 'label'> & { label?: string }> = [
    { method: 'POST', path: '/trpc/orgs.update', headers: json, body: deep(100_000) },
    {
      method: 'POST',
      path: '/trpc/audit.record',
      headers: json,
      body: JSON.stringify({
        orgId: org,
        action: 'a',
        entityType: 'b',
        entityId: 'c',
        after: nested(60, 'object'),
      }),
    },
    {
      method: 'POST',
      path: '/trpc/audit.record',
      headers: json,
      body: JSON.stringify({
        orgId: org,
        action: 'a',
        entityType: 'b',
        entityId: 'c',
        after: { s: 'x\u0000y', k: ['\ud800'] },
      }),
    },
    {
      method: 'POST',
      path: '/trpc/audit.record',
      headers: json,
      body: JSON.stringify({
        orgId: org,
        action: 'a',
        entityType: 'b',
        entityId: 'c',
        before: 'x'.repeat(70_000),
      }),
    },
    { method: 'POST', path: '/trpc/sessions.login', headers: json, body: deep(5000) },
    {
      method: 'POST',
      path: '/trpc/sessions.login',
      headers: json,
      body: `{"email":"${'a'.repeat(4_300_000)}"}`,
    },
    { method: 'POST', path: '/trpc/orgs.create', headers: json, body: '{"name":' },
    { method: 'POST', path: '/trpc/orgs.create', headers: json, body: '"just a string"' },
    { method: 'POST', path: '/trpc/orgs.create', headers: json, body: 'null' },
    { method: 'POST', path: '/trpc/orgs.create', headers: json, body: '[1,2,3]' },
    { method: 'POST', path: '/trpc/orgs.create', headers: json, body: '\u0000' },
    {
      method: 'POST',
      path: '/trpc/orgs.create',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    },
    {
      method: 'POST',
      path: '/trpc/orgs.create',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: '--x\r\n\r\n--x--',
    },
    {
      method: 'POST',
      path: '/trpc/orgs.create',
      headers: { 'content-type': 'application/octet-stream' },
      body: 'abc',
    },
    { method: 'POST', path: '/trpc/orgs.create', headers: {}, body: '{}' },
    {
      method: 'POST',
      path: '/trpc/orgs.create',
      headers: { ...json, 'content-encoding': 'gzip' },
      body: 'xx',
    },
    { method: 'POST', path: '/trpc/orgs.create?batch=1', headers: json, body: '"x"' },
    {
      method: 'POST',
      path: '/trpc/orgs.create,orgs.update?batch=1',
      headers: json,
      body: '{"0":{},"1":[]}',
    },
    {
      method: 'POST',
      path: `/trpc/${Array(101).fill('orgs.create').join(',')}?batch=1`,
      headers: json,
      body: '{}',
    },
    { method: 'GET', path: `/trpc/${Array(101).fill('orgs.list').join(',')}?batch=1` },
    { method: 'GET', path: '/trpc/orgs.list,orgs.create?batch=1' },
    { method: 'GET', path: `/trpc/orgs.get?input=${urlEncode(deep(3000))}` },
    { method: 'GET', path: '/trpc/orgs.get?input=%7B%22orgId' },
    { method: 'GET', path: '/trpc/orgs.get?input=%ZZ' },
    { method: 'GET', path: '/trpc/orgs.get?input=' },
    { method: 'GET', path: '/trpc/orgs.get?input=1&input=2' },
    { method: 'GET', path: `/trpc/orgs.get?batch=1&input=${urlEncode('[1]')}` },
    {
      method: 'GET',
      path: `/trpc/orgs.get?batch=1&input=${urlEncode('{"0":{"orgId":"org_zzz"},"5":1}')}`,
    },
    { method: 'GET', path: '/trpc/orgs.get?batch=2' },
    { method: 'GET', path: '/trpc/' },
    { method: 'GET', path: '/trpc' },
    { method: 'GET', path: '/trpc/%ZZ' },
    { method: 'GET', path: '/trpc/__proto__' },
    { method: 'GET', path: '/trpc/orgs.__proto__' },
    { method: 'GET', path: '/trpc/constructor' },
    { method: 'GET', path: '/trpc/orgs.toString' },
    { method: 'GET', path: '/trpc/..%2F..%2Fetc%2Fpasswd' },
    { method: 'GET', path: '/trpc/orgs' },
    { method: 'GET', path: '/trpc/health' },
    { method: 'POST', path: '/trpc/health', headers: json, body: '{}' },
    { method: 'GET', path: '/trpc/orgs.create' },
    { method: 'PUT', path: '/trpc/orgs.create', headers: json, body: '{}' },
    { method: 'DELETE', path: '/trpc/orgs.list' },
    { method: 'PATCH', path: '/trpc/orgs.list', headers: json, body: '{}' },
    { method: 'OPTIONS', path: '/trpc/orgs.list' },
    { method: 'HEAD', path: '/trpc/orgs.list' },
    { method: 'GET', path: '/trpc/orgs.list', headers: { accept: 'text/event-stream' } },
    {
      method: 'POST',
      path: '/trpc/orgs.list',
      headers: { ...json, 'trpc-accept': 'application/jsonl' },
      body: '{}',
    },
    {
      method: 'GET',
      path: '/trpc/sessions.me',
      headers: { 'x-gatehouse-on-behalf-of': world.orgB.ownerUserId },
    },
    {
      method: 'GET',
      path: '/trpc/sessions.me',
      headers: { 'x-gatehouse-on-behalf-of': 'usr_'.padEnd(5000, 'z') },
    },
    { method: 'GET', path: '/trpc/sessions.me', headers: { 'x-request-id': 'r'.repeat(8000) } },
    {
      method: 'POST',
      path: '/scim/v2/Users',
      headers: { ...json, authorization: `Bearer ${world.keys.scimA}` },
      body: JSON.stringify({ userName: 'big@example.com', displayName: 'x'.repeat(1_100_000) }),
    },
    { method: 'GET', path: '/health' },
    { method: 'GET', path: '/nope/%ZZ' },
    { method: 'GET', path: '/usr/local/lib/node_modules' },
    { method: 'POST', path: '/health', headers: json, body: deep(10) },
  ];
  const keys = [
    world.keys.admin,
    world.keys.clientA,
    world.keys.session,
    undefined,
    'Basic Zm9vOmJhcg==',
    'Bearer',
    `Bearer ${'k'.repeat(6000)}`,
    'Bearer a b',
    'bearer cli_x.y',
  ];
  const out: FuzzRequest[] = [];
  for (const c of cases) {
    for (const k of keys) {
      const authorization: Record<string, string> =
        k === undefined
          ? {}
          : { authorization: k.includes(' ') || k === 'Bearer' ? k : `Bearer ${k}` };
      out.push({
        ...c,
        label: c.label ?? `raw ${c.method} ${c.path.slice(0, 60)}`,
        headers: { ...c.headers, ...authorization },
      });
    }
  }
  return out;
}

const dates = [
  '2024-01-01T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999999+14:00',
  '2024-02-30T00:00:00Z',
  '1970-01-01T00:00:00-23:59',
  'yesterday',
  '',
];

/** Odd query strings for `GET /audit/export`. */
export function exportRequests(world: FuzzWorld, count: number, seed: number): FuzzRequest[] {
  const value = fc.oneof(
    fc.constantFrom(
      world.orgA.orgId,
      world.orgB.orgId,
      'org_zzz',
      ...dates,
      'csv',
      'ndjson',
      'xml',
      world.orgA.ownerUserId,
    ),
    hostileString.filter((s) => s.length < 3000),
  );
  const key = fc.constantFrom(
    'orgId',
    'format',
    'actor',
    'actorId',
    'action',
    'entityType',
    'entityId',
    'scopeId',
    'from',
    'to',
    'from[]',
    'orgId[a]',
    'cursor',
    '__proto__',
    'limit',
  );
  const query = fc
    .tuple(
      fc.constantFrom(world.orgA.orgId, world.orgB.orgId, undefined),
      fc.array(fc.tuple(key, value), { maxLength: 5 }),
    )
    .map(([org, pairs]) =>
      [...(org ? [['orgId', org] as [string, string]] : []), ...pairs]
        .map(([k, v]) => `${urlEncode(k)}=${urlEncode(v)}`)
        .join('&'),
    );
  const credential = fc.constantFrom(
    world.keys.admin,
    world.keys.clientA,
    world.keys.clientB,
    world.keys.session,
    undefined,
  );
  return fc.sample(fc.tuple(query, credential, fc.boolean()), { numRuns: count, seed }).map(
    ([q, k, raw]): FuzzRequest => ({
      label: 'audit export',
      method: 'GET',
      path: `/audit/export?${raw ? q.replace(/%25/g, '%') : q}`,
      headers: k ? { authorization: `Bearer ${k}` } : {},
    }),
  );
}

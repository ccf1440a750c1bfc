/**
 * X3: the built `gatehouse` CLI (`apps/server/dist/cli.js`) bootstraps an instance through a
 * running server: create an org, list orgs, issue an API client, run a check. Its `--json`
 * output is parsed; failures exit non-zero with a clear message on stderr.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, email, runCli, startTestServer, type TestServer } from './harness.js';

describe.each(backends)('gatehouse CLI end to end on $name', (backend) => {
  let t: TestServer;
  let base: string[];
  let orgId: string;
  let clientKey: string;
  const ownerEmail = email('cli-owner');

  beforeAll(async () => {
    t = await startTestServer(backend);
    base = ['--url', t.url, '--key', t.adminKey, '--json'];
  });
  afterAll(async () => {
    await t?.close();
  });

  it('X3 T1: org create --preset idnow prints the new org as JSON', async () => {
    const r = await runCli([
      ...base,
      'org',
      'create',
      '--name',
      'CLI Org',
      '--preset',
      'idnow',
      '--owner-email',
      ownerEmail,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      id: string;
      slug: string;
      preset: string;
      name: string;
      revision: number;
    };
    expect(out).toMatchObject({ name: 'CLI Org', slug: 'cli-org', preset: 'idnow' });
    expect(out.id).toMatch(/^org_[0-9a-z]+$/);
    expect(out.revision).toBeGreaterThanOrEqual(1);
    orgId = out.id;
    // The same org through the SDK.
    expect(await t.admin.api.orgs.get.query({ orgId })).toMatchObject({
      id: orgId,
      name: 'CLI Org',
    });
  });

  it('X3 T1: org list prints every org, also with the URL and key from the environment', async () => {
    const [r, fromEnv] = await Promise.all([
      runCli([...base, 'org', 'list']),
      runCli(['org', 'list'], { GATEHOUSE_URL: t.url, GATEHOUSE_ADMIN_KEY: t.adminKey }),
    ]);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as Array<{ id: string; preset: string }>;
    expect(list).toContainEqual(expect.objectContaining({ id: orgId, preset: 'idnow' }));
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout).toContain(orgId);
    expect(fromEnv.stdout).toContain('cli-org');
  });

  it('X3 K1: api-client create --role editor issues a key that works through the SDK', async () => {
    const r = await runCli([
      ...base,
      'api-client',
      'create',
      '--org',
      orgId,
      '--role',
      'editor',
      '--name',
      'ci',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      key: string;
      revision: number;
      client: { id: string; name: string; roles: Array<{ role: string; scopeId: string }> };
    };
    expect(out.client).toMatchObject({ name: 'ci', roles: [{ role: 'editor', scopeId: orgId }] });
    expect(out.key.startsWith(`${out.client.id}.`)).toBe(true);
    clientKey = out.key;
    const gh = t.connect(clientKey);
    const members = await gh.api.members.list.query({ orgId });
    expect(members.items.map((m) => m.email)).toEqual([ownerEmail]);
    // The secret is shown once: the listing never carries it.
    expect(JSON.stringify(await gh.api.apiClients.list.query({ orgId }))).not.toContain(
      clientKey.split('.')[1]!,
    );
  });

  it('X3 C1 C3: check prints the decision and its reason; exit 0 when allowed, 1 when denied', async () => {
    const gh = t.connect(clientKey);
    const owner = (await gh.api.members.list.query({ orgId })).items[0]!.userId!;
    const { result: viewer, revision } = await gh.api.members.add.mutate({
      orgId,
      email: email('cli-viewer'),
    });
    const check = (subject: string, json = true) =>
      runCli([
        '--url',
        t.url,
        '--key',
        clientKey,
        ...(json ? ['--json'] : []),
        'check',
        '--org',
        orgId,
        '--subject',
        subject,
        '--permission',
        'flows.write',
        '--scope',
        orgId,
      ]);
    const [allowed, denied, allowedText, deniedText] = await Promise.all([
      check(owner),
      check(viewer.userId),
      check(owner, false),
      check(viewer.userId, false),
    ]);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({ allowed: true });
    expect(denied.code).toBe(1);
    const d = JSON.parse(denied.stdout) as { allowed: boolean; revision: number; reason: string };
    expect(d.allowed).toBe(false);
    expect(d.revision).toBeGreaterThanOrEqual(revision);
    expect(d.reason).toContain(viewer.userId);
    expect(allowedText).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ALLOW: /) });
    expect(deniedText).toMatchObject({ code: 1, stdout: expect.stringMatching(/^DENY: /) });
  });

  it('X3: a bad preset exits non-zero with a clear message on stderr and creates nothing', async () => {
    const before = (await t.admin.api.orgs.list.query()).items.length;
    const r = await runCli([
      ...base,
      'org',
      'create',
      '--name',
      'Nope',
      '--preset',
      'no-such-preset',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('BAD_REQUEST');
    expect(r.stderr).toContain('unknown preset "no-such-preset"');
    expect(r.stderr).toContain('idnow, flowcode, idv-console, idwise, identity-platform');
    expect((await t.admin.api.orgs.list.query()).items.length).toBe(before);
  });

  it('X3: a wrong key and refused requests exit 1 with the error code and message', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['--url', t.url, '--key', 'wrong-key', 'org', 'list'], 1, /UNAUTHORIZED/],
      [
        [...base, 'api-client', 'create', '--org', orgId, '--role', 'wizard'],
        1,
        /BAD_REQUEST.*unknown role wizard/,
      ],
      [
        [...base, 'api-client', 'create', '--org', 'not-an-org', '--role', 'editor'],
        1,
        /BAD_REQUEST/,
      ],
      [
        ['--url', t.url, '--key', clientKey, 'org', 'create', '--name', 'X', '--preset', 'idnow'],
        1,
        /FORBIDDEN/,
      ],
    ];
    // Independent of each other: run them side by side (each CLI start costs about a second).
    const runs = await Promise.all(cases.map(([args]) => runCli(args)));
    cases.forEach(([args, code, message], i) => {
      const r = runs[i]!;
      const what = args.filter((a) => a !== t.adminKey).join(' ');
      expect(r.code, what).toBe(code);
      expect(r.stderr, what).toMatch(message);
      expect(r.stderr, what).not.toMatch(/\n\s+at /); // no stack traces
    });
  });
});

/** These never reach a server, so they run once, not per backend. */
describe('gatehouse CLI usage', () => {
  it('X3: usage errors exit 2 with a message and the usage; --help exits 0', async () => {
    const url = 'http://127.0.0.1:9'; // never contacted
    const cases: Array<[string[], RegExp]> = [
      [['--url', url, '--key', 'k', 'org', 'create', '--name', 'X'], /--preset is required/],
      [['--url', url, '--key', 'k', 'frobnicate'], /unknown command "frobnicate"/],
      [['--url', url, 'org', 'list'], /a key is required/],
      [
        [
          '--url',
          url,
          '--key',
          'k',
          'check',
          '--org',
          'org_x',
          '--subject',
          'usr_x',
          '--permission',
          'flows.read',
          '--scope',
          'org_x',
          '--env',
          'prod',
        ],
        /--env must be live or sandbox/,
      ],
    ];
    const runs = await Promise.all([...cases.map(([args]) => runCli(args)), runCli(['--help'])]);
    cases.forEach(([args, message], i) => {
      expect(runs[i], args.join(' ')).toMatchObject({ code: 2, stdout: '' });
      expect(runs[i]!.stderr).toMatch(message);
    });
    const help = runs[cases.length]!;
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: gatehouse');
    expect(help.stdout).toContain('org create --name NAME --preset PRESET');
  });
});

/**
 * Verified domains end to end (SPEC I3, I4; issue 13 "Domains"): the built server resolves TXT
 * records through a DNS server on 127.0.0.1 (`GATEHOUSE_DNS_SERVERS`), driven through the CLI
 * (`gatehouse domain claim|verify|list`) and the SDK: claim, failed and successful verification,
 * one verifying org per domain, tenant isolation, bad input as clear 400s, the require-SSO
 * policy refusing password login and invitation acceptance, and the re-verification worker
 * demoting a domain whose record went away.
 */
import { startTestDnsServer, type TestDnsServer } from '@gatehouse/domain/testing';
import { createGatehouse, type Gatehouse } from '@gatehouse/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  createOrgFixture,
  email,
  failure,
  type OrgFixture,
  runCli,
  sessionOf,
  startTestServer,
  type TestServer,
} from './harness.js';

const PASSWORD = 'correct horse battery staple';
let n = 0;
const freshDomain = (tag: string) =>
  `${tag}-${++n}-${Math.random().toString(36).slice(2, 8)}.example.test`;

describe.each(backends)('verified domains end to end on $name', (backend) => {
  let t: TestServer;
  let dns: TestDnsServer;
  let anon: Gatehouse;
  let acme: OrgFixture;
  let globex: OrgFixture;
  let cli: (...args: string[]) => ReturnType<typeof runCli>;

  beforeAll(async () => {
    dns = await startTestDnsServer();
    t = await startTestServer(backend, {
      dnsServers: [dns.address],
      dnsTimeoutMs: 300,
      // Re-check every second, demote after 2 failures: the worker's whole cycle in seconds.
      domainRecheckIntervalMs: 1000,
      domainRecheckMaxFailures: 2,
      passwords: true,
    });
    anon = createGatehouse({ url: t.url });
    acme = await createOrgFixture(t, { name: 'Acme', preset: 'flowcode', clientRole: 'org_admin' });
    globex = await createOrgFixture(t, {
      name: 'Globex',
      preset: 'flowcode',
      clientRole: 'org_admin',
    });
    cli = (...args) => runCli(['--url', t.url, '--key', acme.clientKey, ...args]);
  });
  afterAll(async () => {
    await t?.close();
    await dns?.close();
  });

  /** Claims a domain for `o` through the SDK and publishes its TXT record. */
  async function verified(o: OrgFixture, domain = freshDomain('v')) {
    const { result } = await o.gh.api.domains.claim.mutate({ orgId: o.orgId, domain });
    dns.setTxt(result.domain.record.name, [result.domain.record.value]);
    const v = await o.gh.api.domains.verify.mutate({
      orgId: o.orgId,
      domainId: result.domain.id,
    });
    expect(v.result.verified).toBe(true);
    return result.domain;
  }

  it('I3 CLI: domain claim prints the TXT record; verify fails (exit 1, NXDOMAIN) until the record exists, then verifies; list shows it', async () => {
    const domain = freshDomain('cli');
    const claim = await cli('domain', 'claim', '--org', acme.orgId, '--domain', domain);
    expect(claim.stderr).toBe('');
    expect(claim.code).toBe(0);
    const m = /(_gatehouse-challenge\.\S+)\s+TXT\s+"(gatehouse-verification=[\w-]+)"/.exec(
      claim.stdout,
    );
    expect(m?.[1]).toBe(`_gatehouse-challenge.${domain}`);

    const before = await cli('domain', 'verify', '--org', acme.orgId, '--domain', domain);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain(`NOT verified ${domain}`);
    expect(before.stdout).toContain('NXDOMAIN');

    dns.setTxt(m![1]!, [m![2]!]);
    const after = await cli('domain', 'verify', '--org', acme.orgId, '--domain', domain);
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    expect(after.stdout).toContain(`verified ${domain}`);

    const list = await cli('--json', 'domain', 'list', '--org', acme.orgId);
    const items = JSON.parse(list.stdout) as Array<{ domain: string; status: string }>;
    expect(items.find((d) => d.domain === domain)?.status).toBe('verified');
    const unknown = await cli('domain', 'verify', '--org', acme.orgId, '--domain', 'nobody.test');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('has not claimed nobody.test');
  });

  it('I3 one verifying org per domain (CONFLICT naming no org); tenant isolation: another org’s key reaches none of these domains (NOT_FOUND); bad input is a 400 that changes nothing', async () => {
    const d = await verified(acme);
    const taken = await failure(
      globex.gh.api.domains.claim.mutate({ orgId: globex.orgId, domain: d.domain }),
    );
    expect(taken).toMatchObject({ code: 'CONFLICT', httpStatus: 409 });
    expect(taken.message).not.toContain(acme.orgId);
    expect(taken.message).not.toContain('Acme');

    const g = globex.gh.api.domains;
    for (const call of [
      () => g.list.query({ orgId: acme.orgId }),
      () => g.verify.mutate({ orgId: acme.orgId, domainId: d.id }),
      () => g.delete.mutate({ orgId: acme.orgId, domainId: d.id }),
      () => g.claim.mutate({ orgId: acme.orgId, domain: freshDomain('x') }),
      () => g.policy.query({ orgId: acme.orgId }),
      () => g.setPolicy.mutate({ orgId: acme.orgId, requireSso: true }),
      () => g.verify.mutate({ orgId: globex.orgId, domainId: d.id }),
      () => g.delete.mutate({ orgId: globex.orgId, domainId: d.id }),
    ]) {
      expect((await failure(call())).code).toBe('NOT_FOUND');
    }
    const a = acme.gh.api.domains;
    for (const [call, domainCode] of [
      [() => a.claim.mutate({ orgId: acme.orgId, domain: '*.acme.test' }), 'INVALID'],
      [() => a.claim.mutate({ orgId: acme.orgId, domain: '10.0.0.1' }), 'INVALID'],
      [() => a.claim.mutate({ orgId: acme.orgId, domain: 'x'.repeat(300) }), null],
      [() => a.verify.mutate({ orgId: acme.orgId, domainId: 'dom_' }), null],
      [() => a.delete.mutate({ orgId: acme.orgId, domainId: 'not-an-id' }), null],
      [() => a.setPolicy.mutate({ orgId: acme.orgId, requireSso: 'yes' as never }), null],
    ] as const) {
      const e = await failure(call());
      expect(e).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400, domainCode });
    }
    const listed = await a.list.query({ orgId: acme.orgId });
    expect(listed.find((x) => x.id === d.id)?.status).toBe('verified');
    expect(await a.policy.query({ orgId: acme.orgId })).toMatchObject({ requireSso: false });
  });

  it('I4 require SSO: password login and invitation acceptance are refused for the domain’s people with the way in named; other people sign in; autoJoin is stored', async () => {
    const d = await verified(globex);
    const inside = `ana-${n}@${d.domain}`;
    const outside = email('bob');
    const accept = async (address: string) => {
      await globex.gh.api.invitations.invite.mutate({ orgId: globex.orgId, email: address });
      const token = /token=([A-Za-z0-9_-]+)/.exec(await t.emailTo(address))![1]!;
      return anon.api.invitations.accept.mutate({ token, password: PASSWORD });
    };
    await accept(inside);
    await accept(outside);
    const set = await globex.gh.api.domains.setPolicy.mutate({
      orgId: globex.orgId,
      requireSso: true,
      autoJoin: true,
    });
    expect(set.result).toMatchObject({ requireSso: true, autoJoin: true });
    expect(await globex.gh.api.domains.policy.query({ orgId: globex.orgId })).toMatchObject({
      requireSso: true,
      autoJoin: true,
    });

    const login = (address: string) =>
      anon.api.sessions.login.mutate({ email: address, password: PASSWORD, orgId: globex.orgId });
    const refused = await failure(login(inside));
    expect(refused).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403, domainCode: 'FORBIDDEN' });
    expect(refused.message).toContain(
      `${d.domain} requires single sign-on: sign in through your identity provider (GET /sso/authorize?org=${globex.orgId})`,
    );
    expect(sessionOf((await login(outside)).result).token).toMatch(/^ses_/);

    const invited = await failure(accept(`cy-${n}@${d.domain}`));
    expect(invited.code).toBe('FORBIDDEN');
    expect(invited.message).toContain(`GET /sso/authorize?org=${globex.orgId}`);
    expect((await accept(email('dee'))).result.createdUser).toBe(true);
  });

  it('I3 I4 the re-verification worker demotes a domain whose record is gone after 2 failed checks, as the system; its policy stops applying', async () => {
    const d = await verified(acme);
    const address = `eve-${n}@${d.domain}`;
    await acme.gh.api.invitations.invite.mutate({ orgId: acme.orgId, email: address });
    const token = /token=([A-Za-z0-9_-]+)/.exec(await t.emailTo(address))![1]!;
    await anon.api.invitations.accept.mutate({ token, password: PASSWORD });
    await acme.gh.api.domains.setPolicy.mutate({ orgId: acme.orgId, requireSso: true });
    const login = () =>
      anon.api.sessions.login.mutate({ email: address, password: PASSWORD, orgId: acme.orgId });
    expect((await failure(login())).code).toBe('FORBIDDEN');

    dns.remove(d.record.name);
    const until = Date.now() + 20_000;
    let status = 'verified';
    while (status !== 'failed' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      const list = await acme.gh.api.domains.list.query({ orgId: acme.orgId });
      status = list.find((x) => x.id === d.id)!.status;
    }
    expect(status).toBe('failed');
    const [row] = (await acme.gh.api.domains.list.query({ orgId: acme.orgId })).filter(
      (x) => x.id === d.id,
    );
    expect(row!.lastError).toContain('NXDOMAIN');
    const audit = await acme.gh.api.audit.list.query({ orgId: acme.orgId, entityType: 'domain' });
    expect(audit.items.find((e) => e.entityId === d.id && e.action === 'Unverified')).toMatchObject(
      { actorId: 'system', source: 'system' },
    );
    expect(sessionOf((await login()).result).token).toMatch(/^ses_/);
  });
});

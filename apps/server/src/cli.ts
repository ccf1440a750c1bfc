#!/usr/bin/env node
/**
 * The `gatehouse` command line (X3): bootstrap an instance through a running server.
 *
 *   gatehouse [--url URL] [--key KEY] [--json] <command> [options]
 *
 * URL and key default to GATEHOUSE_URL (http://127.0.0.1:4000) and GATEHOUSE_ADMIN_KEY.
 */
import { parseArgs } from 'node:util';
import { type PresetDocument, PresetRegistry } from '@gatehouse/core';
import { createDb, migrateToLatest } from '@gatehouse/db';
import { createGatehouse } from '@gatehouse/sdk';
import { domainIdOf, formatClaim, formatDomainList, formatVerification } from './cli/domains.js';
import { formatPresetList, formatPresetReport, readPresetFile } from './cli/presets.js';
import { SSO_OPTIONS, SSO_USAGE, ssoCommand } from './cli/sso.js';
import { builtInPresetDocument, typegenCommand } from './cli/typegen.js';
import { configFromEnv } from './config.js';

const USAGE = `usage: gatehouse [--url URL] [--key KEY] [--json] <command>

commands:
  org create --name NAME --preset PRESET [--slug SLUG] [--owner-email EMAIL]
  org list
  preset list
  preset show KEY [--version N]
  preset diff FILE             (what applying FILE would change in each org; changes nothing)
  preset apply FILE            (stores FILE as the next version; every org of its key follows)
  api-client create --org ORG --role ROLE [--scope SCOPE] [--name NAME]
  scim-token create --org ORG [--name NAME]     (the token is shown once)
  scim-token rotate --org ORG --token TOKEN_ID
  scim-token revoke --org ORG --token TOKEN_ID
  domain claim --org ORG --domain DOMAIN    (prints the DNS TXT record to create)
  domain verify --org ORG --domain DOMAIN|ID   (looks the TXT record up; exit code 1 when not verified)
  domain list --org ORG
  check --org ORG --subject SUBJECT --permission PERM --scope SCOPE [--env live|sandbox]
  audit verify --org ORG       (recomputes the audit hash chain; exit code 1 when broken)
  audit prune --org ORG        (deletes entries older than the org's auditRetentionDays)
  migrate                      (runs against DATABASE_URL or the PGlite data folder)
  typegen (--file FILE | --preset PRESET) [--out FILE.d.ts]   (TypeScript names for the SDK)
${SSO_USAGE}

environment: GATEHOUSE_URL, GATEHOUSE_ADMIN_KEY, DATABASE_URL, GATEHOUSE_DATA_DIR, GATEHOUSE_SSO_CLIENT_SECRET`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    key: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
    name: { type: 'string' },
    preset: { type: 'string' },
    slug: { type: 'string' },
    'owner-email': { type: 'string' },
    org: { type: 'string' },
    role: { type: 'string' },
    scope: { type: 'string' },
    subject: { type: 'string' },
    permission: { type: 'string' },
    env: { type: 'string' },
    token: { type: 'string' },
    version: { type: 'string' },
    file: { type: 'string' },
    out: { type: 'string' },
    domain: { type: 'string' },
    ...SSO_OPTIONS,
  },
});

function fail(message: string, code = 2): never {
  console.error(`gatehouse: ${message}`);
  process.exit(code);
}

function need(name: keyof typeof values): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') fail(`--${name} is required\n\n${USAGE}`);
  return v;
}

function print(human: string, data: unknown): void {
  console.log(values.json ? JSON.stringify(data, null, 2) : human);
}

function client() {
  const url = values.url ?? process.env.GATEHOUSE_URL ?? 'http://127.0.0.1:4000';
  const apiKey = values.key ?? process.env.GATEHOUSE_ADMIN_KEY;
  if (!apiKey) fail('a key is required: --key KEY or GATEHOUSE_ADMIN_KEY');
  return createGatehouse({ url, apiKey }).api;
}

async function run(): Promise<void> {
  // `preset apply FILE`, `preset show KEY`: the third word is the command's argument.
  const cmd = positionals.slice(0, positionals[0] === 'preset' ? 2 : undefined).join(' ');
  const arg = (what: string) => {
    const v = positionals[2];
    if (!v) fail(`${cmd} needs ${what}\n\n${USAGE}`);
    return v;
  };
  const document = () => {
    try {
      return readPresetFile(arg('a FILE'));
    } catch (e) {
      return fail((e as Error).message);
    }
  };
  if (values.help || cmd === '') return console.log(USAGE);
  if (positionals[0] === 'sso') {
    const baseUrl = (values.url ?? process.env.GATEHOUSE_URL ?? 'http://127.0.0.1:4000').replace(
      /\/+$/,
      '',
    );
    // `sso refresh-metadata SSOC_ID`: the third word is the connection.
    const refresh = positionals[1] === 'refresh-metadata';
    return ssoCommand(refresh ? 'sso refresh-metadata' : cmd, {
      api: client,
      arg: refresh ? positionals[2] : undefined,
      values,
      baseUrl,
      need: need as (n: string) => string,
      print,
      fail,
    });
  }
  switch (cmd) {
    case 'org create': {
      const email = values['owner-email'];
      const { result, revision } = await client().orgs.create.mutate({
        name: need('name'),
        preset: need('preset'),
        ...(values.slug ? { slug: values.slug } : {}),
        ...(email ? { owner: { email } } : {}),
      });
      return print(
        `created ${result.id} (slug ${result.slug}, preset ${result.preset}) at revision ${revision}`,
        { ...result, revision },
      );
    }
    case 'org list': {
      const items = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<ReturnType<typeof client>['orgs']['list']['query']>> =
          await client().orgs.list.query({ cursor, limit: 100 });
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return print(
        items.map((o) => `${o.id}  ${o.slug}  ${o.preset}  ${o.name}`).join('\n') ||
          '(no organizations)',
        items,
      );
    }
    case 'preset list': {
      const items = await client().presets.list.query();
      return print(formatPresetList(items), items);
    }
    case 'preset show': {
      const version = values.version === undefined ? undefined : Number(values.version);
      if (version !== undefined && !(Number.isInteger(version) && version > 0))
        fail('--version must be a positive whole number');
      const shown = await client().presets.show.query({ key: arg('a preset KEY'), version });
      return print(JSON.stringify(shown.document, null, 2), shown);
    }
    case 'preset diff': {
      const report = await client().presets.diff.query({ document: document() });
      print(formatPresetReport(report), report);
      if (report.blocked) process.exitCode = 1;
      return;
    }
    case 'preset apply': {
      const report = await client().presets.applyVersion.mutate({ document: document() });
      return print(formatPresetReport(report), report);
    }
    case 'api-client create': {
      const orgId = need('org');
      const { result, revision } = await client().apiClients.create.mutate({
        orgId,
        name: values.name ?? 'cli',
        roles: [{ role: need('role'), ...(values.scope ? { scopeId: values.scope } : {}) }],
      });
      return print(
        `created API client ${result.client.id}\nkey (shown once, store it now): ${result.key}`,
        { ...result, revision },
      );
    }
    case 'scim-token create':
    case 'scim-token rotate': {
      const orgId = need('org');
      const base = (values.url ?? process.env.GATEHOUSE_URL ?? 'http://127.0.0.1:4000').replace(
        /\/+$/,
        '',
      );
      const { result, revision } =
        cmd === 'scim-token create'
          ? await client().scimTokens.create.mutate({
              orgId,
              name: values.name ?? 'SCIM directory',
            })
          : await client().scimTokens.rotate.mutate({ orgId, tokenId: need('token') });
      const scimUrl = `${base}/scim/v2`;
      return print(
        `SCIM token ${result.scimToken.id} for ${orgId}\nSCIM URL: ${scimUrl}\ntoken (shown once, store it now): ${result.token}`,
        { ...result, scimUrl, revision },
      );
    }
    case 'scim-token revoke': {
      const { result, revision } = await client().scimTokens.revoke.mutate({
        orgId: need('org'),
        tokenId: need('token'),
      });
      return print(`revoked SCIM token ${result.id}`, { ...result, revision });
    }
    case 'domain claim': {
      const { result } = await client().domains.claim.mutate({
        orgId: need('org'),
        domain: need('domain'),
      });
      return print(formatClaim(result.domain), result);
    }
    case 'domain verify': {
      const orgId = need('org');
      const domainId = domainIdOf(await client().domains.list.query({ orgId }), need('domain'));
      if (!domainId) fail(`${orgId} has not claimed ${values.domain}`, 1);
      const { result } = await client().domains.verify.mutate({ orgId, domainId });
      print(formatVerification(result), result);
      if (!result.verified) process.exitCode = 1;
      return;
    }
    case 'domain list': {
      const items = await client().domains.list.query({ orgId: need('org') });
      return print(formatDomainList(items), items);
    }
    case 'check': {
      const env = values.env;
      if (env !== undefined && env !== 'live' && env !== 'sandbox')
        fail('--env must be live or sandbox');
      const { result, revision } = await client().authz.explain.query({
        orgId: need('org'),
        subject: need('subject'),
        permission: need('permission'),
        scope: need('scope'),
        ...(env ? { environment: env } : {}),
      });
      print(`${result.allowed ? 'ALLOW' : 'DENY'}: ${result.reason} (revision ${revision})`, {
        ...result,
        revision,
      });
      if (!result.allowed) process.exitCode = 1;
      return;
    }
    case 'audit verify': {
      const v = await client().audit.verify.query({ orgId: need('org') });
      const from = v.checkpoint ? ` from the signed checkpoint at ${v.checkpoint.seq}` : '';
      print(
        v.ok
          ? `OK: ${v.checked} entries verified${from} (seq ${v.fromSeq}–${v.toSeq}), head ${v.headHash}`
          : `BROKEN at entry ${v.broken!.seq}${v.broken!.entryId ? ` (${v.broken!.entryId})` : ''}: ${v.broken!.message} [${v.broken!.reason}]; ${v.checked} entries verified before it${from}`,
        v,
      );
      if (!v.ok) process.exitCode = 1;
      return;
    }
    case 'audit prune': {
      const { result, revision } = await client().audit.prune.mutate({ orgId: need('org') });
      return print(
        result.retentionDays === null
          ? 'no retention set (org setting auditRetentionDays); nothing pruned'
          : `pruned ${result.pruned} entries${result.throughSeq ? ` through seq ${result.throughSeq}` : ''} (retention ${result.retentionDays} days) at revision ${revision}`,
        { ...result, revision },
      );
    }
    case 'migrate': {
      const config = configFromEnv();
      const g = await createDb({
        url: config.databaseUrl,
        dataDir: config.dataDir,
        migrate: false,
        owner: 'gatehouse migrate',
      });
      try {
        const { applied } = await migrateToLatest(g.db as never);
        return print(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date', {
          applied,
        });
      } finally {
        await g.close();
      }
    }
    case 'typegen':
      return typegenCommand({
        file: values.file,
        preset: values.preset,
        out: values.out,
        // Built-in presets locally; any other key from the server (a stored preset's newest version).
        resolvePreset: async (key) => {
          if (
            PresetRegistry.withBuiltIns().get(key) ||
            !(values.key ?? process.env.GATEHOUSE_ADMIN_KEY)
          ) {
            // Without a key only the built-ins can be read: say so beside the keys there are.
            return builtInPresetDocument(key).catch((e: Error) => {
              throw new Error(
                `${e.message}; a stored preset is read from the server: give --key KEY or GATEHOUSE_ADMIN_KEY`,
              );
            });
          }
          return (await client().presets.show.query({ key })).document as PresetDocument;
        },
        print: console.log,
        fail,
      });
    default:
      fail(`unknown command "${cmd}"\n\n${USAGE}`);
  }
}

run().catch((e: unknown) => {
  const err = e as { message?: string; data?: { code?: string } };
  fail(`${err.data?.code ? `${err.data.code}: ` : ''}${err.message ?? String(e)}`, 1);
});

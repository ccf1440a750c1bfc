/**
 * `pnpm start`: starts Gatehouse on PGlite in `.gatehouse/` (or PostgreSQL with DATABASE_URL),
 * seeds a demo organization on first start, prints the URL, the demo org and keys, and shuts
 * down cleanly on SIGINT/SIGTERM.
 */

import cluster from 'node:cluster';
import { DataDirLockedError } from '@gatehouse/db';
import { listPresets } from '@gatehouse/domain';
import { pino } from 'pino';
import { reportReady, runPrimary, workerIndex } from './cluster.js';
import { configFromEnv, type ServerConfig } from './config.js';
import { PresetFilesError } from './preset-files.js';
import { startServer } from './server.js';

/** Stops the start with a plain message (not a log record): what is wrong and what to change. */
function didNotStart(message: string): never {
  console.error(`Gatehouse did not start. ${message}`);
  process.exit(1);
}

let config: ServerConfig;
try {
  config = configFromEnv();
} catch (err) {
  didNotStart((err as Error).message);
}
const logger = pino({ level: config.logLevel });
// GATEHOUSE_WORKERS > 1: this process forks the servers (./cluster.ts) and serves nothing.
if ((config.workers ?? 1) > 1 && cluster.isPrimary) {
  await runPrimary(config.workers ?? 1, logger);
} else {
  await serve();
}

async function serve(): Promise<void> {
  const index = workerIndex();
  const started = Date.now();
  const server = await startServer(config, logger).catch((err: unknown) => {
    // Another process has the data folder (say who), or a preset file is bad (say what, where).
    if (err instanceof DataDirLockedError || err instanceof PresetFilesError) {
      didNotStart(err.message);
    }
    logger.fatal({ err }, 'Gatehouse failed to start');
    process.exit(1);
  });

  const lines = [
    '',
    `Gatehouse is running at ${server.url}  (API: ${server.url}/trpc, SCIM 2.0: ${server.url}/scim/v2)`,
    `  sign-in pages: ${server.url}/sign-in (invitation emails link to ${server.url}/invitations/accept)`,
    `  database: ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${config.dataDir ?? 'memory'}`}`,
    `  emails: ${server.emails.mode === 'smtp' ? 'sent over SMTP (SMTP_URL)' : 'written to this log, one-time links included: for development only (set SMTP_URL to send them)'}`,
    `  audit retention: ${server.auditRetention.enabled ? 'pruned automatically per org (auditRetentionDays)' : 'off (GATEHOUSE_AUDIT_PRUNE_INTERVAL_SECONDS=0)'}`,
    `  presets: ${(
      await listPresets({
        services: server.services,
        caller: { principal: { kind: 'system' }, source: 'system' },
      })
    )
      .map((p) => (p.version === null ? p.key : `${p.key} (v${p.version})`))
      .join(', ')}`,
  ];
  if (server.generatedAdminKey) {
    lines.push(`  instance admin key (shown once, stored hashed): ${server.generatedAdminKey}`);
  } else if (!config.adminKey) {
    lines.push('  instance admin key: printed on first start (or set GATEHOUSE_ADMIN_KEY)');
  }
  if (server.demo) {
    lines.push(
      `  demo organization: ${server.demo.orgId} (slug "${server.demo.slug}", preset flowcode)`,
      `  demo API client key (org Admin; shown once): ${server.demo.clientKey}`,
      '',
      '  try (Bob is Workspace Editor of Marketing: allowed there, denied in Sales):',
      `    pnpm gatehouse --url ${server.url} --key ${server.demo.clientKey} check --org ${server.demo.orgId} \\`,
      `      --subject ${server.demo.editorUserId} --permission flows.write --scope ${server.demo.marketingId}`,
      `    ... --scope ${server.demo.salesId}`,
    );
  } else {
    const demo = await server.gatedb.db
      .selectFrom('orgs')
      .select(['id', 'slug'])
      .where('slug', '=', 'demo')
      .executeTakeFirst();
    if (demo) lines.push(`  demo organization: ${demo.id} (its key was printed on first start)`);
  }
  if (server.devSso) {
    lines.push(
      `  dev SSO: an OpenID Provider at ${server.devSso.issuer} is connected to the demo org;`,
      `    click through a sign-in at ${server.devSso.pageUrl}`,
    );
  }
  lines.push(`  ready in ${Date.now() - started} ms — Ctrl-C to stop`, '');
  if (index === null) console.log(lines.join('\n'));
  else reportReady(index === 1 ? lines.join('\n') : null);

  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      server.close().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

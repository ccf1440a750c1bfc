/**
 * One Gatehouse process: the database (PGlite or PostgreSQL), migrations, the engine cache kept
 * fresh by NOTIFY, and the HTTP API on one port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiFront, createApiHandler, createAuditExportHandler } from '@gatehouse/api';
import { analyze, createDb, type Gatedb } from '@gatehouse/db';
import {
  createServices,
  createTxtResolver,
  DEFAULT_DOMAIN_RECHECK_INTERVAL_MS,
  ensureAdminKey,
  instanceSecretKey,
  REVISION_CHANNEL,
  type Services,
} from '@gatehouse/domain';
import {
  CredentialThrottle,
  DEFAULT_CREDENTIAL_THROTTLE,
  internalErrorMessage,
  newErrorId,
} from '@gatehouse/edge';
import { createPagesHandler, PAGES_SSO_RETURN_PATH } from '@gatehouse/pages';
import { createScimHandler } from '@gatehouse/scim';
import { createSsoHandler } from '@gatehouse/sso';
import express from 'express';
import { type Logger, pino } from 'pino';
import {
  type AuditRetention,
  DEFAULT_AUDIT_PRUNE_INTERVAL_MS,
  startAuditRetention,
} from './audit-retention.js';
import { workerIndex } from './cluster.js';
import type { ServerConfig } from './config.js';
import { type DemoSeed, seedDemo } from './demo.js';
import { type DevSso, startDevSso } from './dev-sso.js';
import { type DomainRecheck, startDomainRecheck } from './domain-recheck.js';
import { DEFAULT_MAIL_FROM, type EmailDelivery, startEmailDelivery } from './email-delivery.js';
import { httpTimeouts, KEEP_ALIVE_TIMEOUT_MS } from './http-timeouts.js';
import type { PeriodicJob } from './periodic-job.js';
import { applyPresetFiles, readPresetFiles } from './preset-files.js';
import { startSamlMetadataRefresh } from './saml-metadata-refresh.js';
import { securityHeaderList } from './security-headers.js';

/** PGlite: writes between two ANALYZE runs (checked every 20 s). */
const ANALYZE_AFTER_WRITES = 500;

/** A running server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:4000`. */
  readonly url: string;
  readonly services: Services;
  readonly gatedb: Gatedb;
  /** The generated instance admin key, on the first start only. */
  readonly generatedAdminKey: string | null;
  /** The demo org, on the first start only. */
  readonly demo: DemoSeed | null;
  /** The email delivery worker (SMTP, or the log when `smtpUrl` is unset). */
  readonly emails: EmailDelivery;
  /** The audit retention worker (off when its interval is 0). */
  readonly auditRetention: AuditRetention;
  /** The domain re-verification worker (off when its interval is 0). */
  readonly domainRecheck: DomainRecheck;
  /** The SAML metadata URL refresh worker (off unless its interval is set). */
  readonly samlMetadataRefresh: PeriodicJob;
  /** The dev IdP (`GATEHOUSE_DEV_IDP=1`): its issuer and the page to start a sign-in from. */
  readonly devSso: { readonly issuer: string; readonly pageUrl: string } | null;
  close(): Promise<void>;
}

/**
 * Starts a server; resolves once it listens. Rejects with `PresetFilesError` before touching the
 * database when a file of `config.presetFiles` is missing or invalid.
 */
export async function startServer(
  config: ServerConfig,
  logger: Logger = pino({ level: config.logLevel }),
): Promise<RunningServer> {
  const presetFiles = readPresetFiles(config.presetFiles ?? [], process.cwd());
  const gatedb = await createDb({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    owner: 'gatehouse server',
  });
  const stale = gatedb.dataDirLock?.tookOverFrom;
  if (stale) {
    logger.warn(
      { dataDir: config.dataDir, stalePid: stale.pid, staleStartedAt: stale.startedAt },
      'took over the data folder from a process that is gone (it did not shut down cleanly)',
    );
  }
  // Links in emails use the public URL, by default this server's own (known once it listens).
  let selfUrl = '';
  const publicBase = () =>
    (config.publicUrl ?? selfUrl.replace(/\/\/(0\.0\.0\.0|\[::\]):/, '//localhost:')).replace(
      /\/+$/,
      '',
    );
  const services = createServices(gatedb.db, {
    publicUrl: publicBase,
    passwords: config.passwords ?? false,
    sessionTtlMs: config.sessionTtlMs,
    loginMaxFailures: config.loginMaxFailures,
    engineCacheBytes: config.engineCacheBytes,
    groupCommit: config.groupCommit,
    loginWindowMs: config.loginWindowMs,
    passwordResetTtlMs: config.passwordResetTtlMs,
    passwordResetMaxPerEmail: config.passwordResetMaxPerEmail,
    passwordResetMaxPerIp: config.passwordResetMaxPerIp,
    dnsResolver: createTxtResolver({ servers: config.dnsServers, timeoutMs: config.dnsTimeoutMs }),
    domainRecheckIntervalMs: config.domainRecheckIntervalMs || undefined,
    domainRecheckMaxFailures: config.domainRecheckMaxFailures,
    // The dev IdP (GATEHOUSE_DEV_IDP=1) runs on plain http on loopback.
    ssoAllowHttp: (config.ssoAllowHttp ?? false) || (config.devIdp ?? false),
    ssoAllowPrivateNetwork: (config.ssoAllowPrivateNetwork ?? false) || (config.devIdp ?? false),
  });
  const unlisten = await gatedb.listen(REVISION_CHANNEL, (p) => services.engines.onNotify(p));
  // PGlite has no autovacuum: without fresh statistics the planner can pick nested scans as
  // tables grow. PostgreSQL's autovacuum does this by itself. ANALYZE blocks PGlite (it runs in
  // this thread; about a second at 100k members), so it runs only after enough writes.
  let analyzedAt = services.engines.revisionsSeen;
  const analyzer =
    gatedb.kind === 'pglite'
      ? setInterval(() => {
          if (services.engines.revisionsSeen - analyzedAt < ANALYZE_AFTER_WRITES) return;
          analyzedAt = services.engines.revisionsSeen;
          analyze(gatedb).catch(() => undefined);
        }, 20_000).unref()
      : undefined;
  // Each file is stored as the next version of its key when it changed (a refused version stops
  // the start, naming every use). Until then the server does not listen.
  try {
    for (const line of await applyPresetFiles(services, presetFiles)) logger.info(line);
  } catch (e) {
    clearInterval(analyzer);
    await unlisten();
    await gatedb.close();
    throw e;
  }
  const generatedAdminKey = await ensureAdminKey(services, config.adminKey);
  // Refuses a bad GATEHOUSE_SECRET_KEY now rather than at the first invitation.
  await instanceSecretKey(gatedb.db);
  const demo = config.seedDemo ? await seedDemo(services) : null;

  // Failed credentials per client address and key prefix, in this process (edge package).
  const throttle = new CredentialThrottle({
    maxPerAddress: config.authMaxFailuresPerAddress ?? DEFAULT_CREDENTIAL_THROTTLE.maxPerAddress,
    maxPerKey: config.authMaxFailuresPerKey ?? DEFAULT_CREDENTIAL_THROTTLE.maxPerKey,
    windowMs: config.authFailureWindowMs ?? DEFAULT_CREDENTIAL_THROTTLE.windowMs,
  });
  const logInternal = (err: unknown, path: string, errorId: string) =>
    logger.error({ err, path, errorId }, 'internal error');

  // Every response's security headers, and with GATEHOUSE_WORKERS > 1 which worker answered
  // (operations; ./cluster.ts).
  const worker = workerIndex();
  const responseHeaders: [string, string][] = [
    ...securityHeaderList(config.publicUrl),
    ...(worker === null ? [] : [['x-gatehouse-worker', String(worker)] as [string, string]]),
  ];
  const apiOptions = {
    services,
    adminKey: config.adminKey,
    maxBodyBytes: config.apiMaxBodyBytes,
    throttle,
    onInternalError: (err: unknown, path: string | undefined, id: string) =>
      logInternal(err, `/trpc/${path ?? ''}`, id),
  };
  // Permission reads (/trpc/authz.*) are answered before Express (issue 15; apps/api front.ts).
  const front =
    config.apiReadRoute === 'trpc'
      ? null
      : createApiFront({ ...apiOptions, readRoute: config.apiReadRoute, headers: responseHeaders });
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    for (const [name, value] of responseHeaders) res.setHeader(name, value);
    next();
  });
  // SCIM 2.0 (S1–S7) and the tRPC API each authenticate from the headers first, then read their
  // own bodies within their limits (no shared body parser), and answer errors in their shapes.
  app.use(
    '/scim/v2',
    createScimHandler({
      services,
      publicUrl: config.publicUrl,
      maxBodyBytes: config.scimMaxBodyBytes,
      throttle,
      onInternalError: (err, id) => logInternal(err, '/scim/v2', id),
    }),
  );
  // Single sign-on (issue 13): /sso/authorize, /sso/test, /sso/callback. The IdP sends browsers
  // back to this server's public URL.
  app.use(
    '/sso',
    createSsoHandler({
      services,
      publicUrl: publicBase,
      // The dev IdP (GATEHOUSE_DEV_IDP=1) runs on plain http on loopback.
      allowHttp: (config.ssoAllowHttp ?? false) || (config.devIdp ?? false),
      // Gatehouse's own sign-in page is a redirect_uri of every org.
      redirectUris: () => [
        ...(config.ssoRedirectUris ?? []),
        `${publicBase()}${PAGES_SSO_RETURN_PATH}`,
      ],
      onInternalError: (err, id) => logInternal(err, '/sso', id),
    }),
  );
  // GATEHOUSE_DEV_IDP=1: /sso/dev, wired once the server listens (the IdP needs our URL).
  let devSso: DevSso | null = null;
  app.use('/sso/dev', (req, res, next) => (devSso ? devSso.router(req, res, next) : next()));
  // `demo`: whether the demo organization (slug "demo") exists, so that a script can wait for a
  // usable first start (.ci/run). A yes/no only: its id and keys are printed once, at start.
  // A failing query reaches the error handler below (500).
  app.get('/health', async (_req, res) => {
    const demo = await gatedb.db
      .selectFrom('orgs')
      .select('id')
      .where('slug', '=', 'demo')
      .executeTakeFirst();
    res.json({ ok: true, demo: demo !== undefined });
  });
  app.use('/trpc', createApiHandler({ ...apiOptions, readRoute: config.apiReadRoute }));
  // A2: the audit log streamed as CSV or NDJSON (same bearer keys as /trpc).
  app.get(
    '/audit/export',
    createAuditExportHandler({
      services,
      adminKey: config.adminKey,
      throttle,
      onInternalError: (err, id) => logInternal(err, '/audit/export', id),
    }),
  );
  // The pages people land on (issue 14): /sign-in, /account, /invitations/accept.
  app.use(
    createPagesHandler({
      services,
      publicUrl: publicBase,
      onInternalError: (err, id) => logInternal(err, 'pages', id),
    }),
  );
  app.use((_req: express.Request, res: express.Response) => {
    res.status(404).json({ error: 'not found' });
  });
  // Errors no route answered: a clear 4xx, or a 500 with an opaque id (logged with the detail).
  app.use(
    (err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
      if (res.headersSent) return next(err);
      const status = (err as { status?: number }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        const expose = (err as { expose?: boolean }).expose === true;
        res.status(status).json({ error: expose ? (err as Error).message : 'bad request' });
        return;
      }
      const id = newErrorId();
      logInternal(err, _req.originalUrl.slice(0, 200), id);
      res.status(500).json({ error: internalErrorMessage(id) });
    },
  );

  const server: Server = createServer(httpTimeouts(config), (req, res) => {
    if (!front?.take(req, res)) app(req, res);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  selfUrl = `http://${host}:${port}`;
  // A second process refused by the data folder's lock is told where this one listens.
  gatedb.dataDirLock?.annotate({ url: selfUrl });
  if (config.devIdp) {
    devSso = await startDevSso({ services, selfUrl, port: config.devIdpPort ?? 0 });
    if (!devSso) logger.warn('GATEHOUSE_DEV_IDP: there is no demo organization to connect');
  }
  const emails = await startEmailDelivery({
    gatedb,
    logger,
    smtpUrl: config.smtpUrl,
    from: config.mailFrom ?? DEFAULT_MAIL_FROM,
    tuning: config.emailDelivery,
  });
  const auditRetention = startAuditRetention({
    services,
    logger,
    intervalMs: config.auditPruneIntervalMs ?? DEFAULT_AUDIT_PRUNE_INTERVAL_MS,
  });
  const domainRecheck = startDomainRecheck({
    services,
    logger,
    intervalMs: config.domainRecheckIntervalMs ?? DEFAULT_DOMAIN_RECHECK_INTERVAL_MS,
  });
  const samlMetadataRefresh = startSamlMetadataRefresh({
    services,
    logger,
    intervalMs: config.samlMetadataRefreshMs ?? 0,
  });
  let closed = false;
  return {
    url: selfUrl,
    services,
    gatedb,
    generatedAdminKey,
    demo,
    emails,
    auditRetention,
    domainRecheck,
    samlMetadataRefresh,
    get devSso() {
      return devSso && { issuer: devSso.issuer, pageUrl: devSso.pageUrl };
    },
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await devSso?.close();
      await emails.stop();
      await auditRetention.stop();
      await domainRecheck.stop();
      await samlMetadataRefresh.stop();
      clearInterval(analyzer);
      await unlisten();
      await gatedb.close();
    },
  };
}

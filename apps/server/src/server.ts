/**
 * One Gatehouse process: the database (PGlite or PostgreSQL), migrations, the engine cache kept
 * fresh by NOTIFY, and the HTTP API on one port.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiHandler } from '@gatehouse/api';
import { createDb, type Gatedb } from '@gatehouse/db';
import { createServices, ensureAdminKey, REVISION_CHANNEL, type Services } from '@gatehouse/domain';
import express from 'express';
import { type Logger, pino } from 'pino';
import type { ServerConfig } from './config.js';
import { type DemoSeed, seedDemo } from './demo.js';

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
  close(): Promise<void>;
}

/** Starts a server; resolves once it listens. */
export async function startServer(
  config: ServerConfig,
  logger: Logger = pino({ level: config.logLevel }),
): Promise<RunningServer> {
  const gatedb = await createDb({ url: config.databaseUrl, dataDir: config.dataDir });
  const services = createServices(gatedb.db);
  const unlisten = await gatedb.listen(REVISION_CHANNEL, (p) => services.engines.onNotify(p));
  const generatedAdminKey = await ensureAdminKey(services, config.adminKey);
  const demo = config.seedDemo ? await seedDemo(services) : null;

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '5mb' }));
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(
    '/trpc',
    createApiHandler({
      services,
      adminKey: config.adminKey,
      onInternalError: (err, path) => logger.error({ err, path }, 'internal error'),
    }),
  );
  // Malformed JSON bodies and other errors before tRPC: a clear 400, never a stack trace.
  app.use(
    (err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
      if (res.headersSent) return next(err);
      const status = (err as { status?: number }).status ?? 500;
      if (status >= 500) logger.error({ err }, 'unhandled error');
      res.status(status).json({ error: status >= 500 ? 'internal error' : (err as Error).message });
    },
  );

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closed = false;
  return {
    url: `http://${host}:${port}`,
    services,
    gatedb,
    generatedAdminKey,
    demo,
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await unlisten();
      await gatedb.close();
    },
  };
}

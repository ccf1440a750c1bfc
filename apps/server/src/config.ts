/** Server configuration from the environment, validated once at start-up. */
import { resolve } from 'node:path';

/** Everything the server process reads from its environment. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** `postgres://…`, or undefined for PGlite. */
  readonly databaseUrl: string | undefined;
  /** PGlite data folder (ignored with databaseUrl); `memory` for an in-memory database. */
  readonly dataDir: string | undefined;
  readonly adminKey: string | undefined;
  /** Seed a demo organization on first start. */
  readonly seedDemo: boolean;
  readonly logLevel: string;
}

/** Reads `HOST`, `PORT`, `DATABASE_URL`, `GATEHOUSE_DATA_DIR`, `GATEHOUSE_ADMIN_KEY`, `GATEHOUSE_DEMO`, `LOG_LEVEL`. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a number from 0 to 65535, got "${env.PORT}"`);
  }
  const dataDir = env.GATEHOUSE_DATA_DIR ?? resolve(process.cwd(), '.gatehouse', 'data');
  return {
    host: env.HOST ?? '127.0.0.1',
    port,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: dataDir === 'memory' ? undefined : dataDir,
    adminKey: env.GATEHOUSE_ADMIN_KEY || undefined,
    seedDemo: env.GATEHOUSE_DEMO !== '0',
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}

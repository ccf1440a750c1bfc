/**
 * What every end-to-end test file shares: the backends to run on, a real server started
 * in-process on port 0, SDK clients for it, and helpers to assert on tRPC errors. Tests reach the
 * server only over HTTP (the SDK, or the CLI binary), never through domain functions.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { freshPostgresDatabase } from '@gatehouse/db/testing';
import { type AppRouter, createGatehouse, type Gatehouse, TRPCClientError } from '@gatehouse/sdk';
import { type RunningServer, type ServerConfig, startServer } from '@gatehouse/server';
import { pino } from 'pino';
import { expect } from 'vitest';

/** A database backend a test file runs its suites on. */
export interface Backend {
  readonly name: 'pglite' | 'postgres';
}

/** PGlite (in memory) always; PostgreSQL too when `DATABASE_URL` is set (CI). */
export const backends: readonly Backend[] = process.env.DATABASE_URL
  ? [{ name: 'pglite' }, { name: 'postgres' }]
  : [{ name: 'pglite' }];

/** The built server entry points, for tests that start processes. */
export const serverDist = {
  main: fileURLToPath(new URL('../../server/dist/main.js', import.meta.url)),
  cli: fileURLToPath(new URL('../../server/dist/cli.js', import.meta.url)),
};

/** What a run of the CLI printed, and how it exited. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built `gatehouse` CLI (`node cli.js ...args`) without the caller's `GATEHOUSE_*`
 * settings or `DATABASE_URL`, so only `env` adds any; resolves with its exit code and output
 * (a non-zero exit does not reject).
 */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('GATEHOUSE_') && k !== 'DATABASE_URL') clean[k] = v;
  }
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [serverDist.cli, ...args],
      { env: { ...clean, ...env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err);
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/** A fresh random instance admin key. */
export const newAdminKey = () => `test-admin-key-${randomBytes(12).toString('hex')}`;

/** A server started for one test file. */
export interface TestServer {
  readonly backend: Backend;
  readonly url: string;
  readonly adminKey: string;
  readonly server: RunningServer;
  /** An SDK client with the instance admin key. */
  readonly admin: Gatehouse;
  /** An SDK client with any key. */
  connect(apiKey: string, onBehalfOf?: string): Gatehouse;
  /**
   * The text of the newest email to `to`, as the server (no SMTP_URL: development mode) wrote it
   * to its log, links included; waits up to 10 s for it.
   */
  emailTo(to: string): Promise<string>;
  /** Closes the server, then drops its PostgreSQL database (if any). */
  close(): Promise<void>;
}

/**
 * Starts a server on a fresh database of `backend` (in-memory PGlite, or a new PG database);
 * `overrides` change its configuration (limits, timeouts, throttles).
 */
export async function startTestServer(
  backend: Backend,
  overrides: Partial<ServerConfig> = {},
): Promise<TestServer> {
  const db =
    backend.name === 'postgres'
      ? await freshPostgresDatabase(process.env.DATABASE_URL as string)
      : undefined;
  const adminKey = newAdminKey();
  // Only the emails the log-only delivery writes are kept from the server's log; with `E2E_LOG`
  // set to a pino level (`E2E_LOG=error`: a 500's cause), lines at that level or above are also
  // copied to stderr.
  const emails: Array<{ to: string; text: string }> = [];
  const echoFrom = pino.levels.values[process.env.E2E_LOG ?? ''];
  const log = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) {
        if (echoFrom !== undefined && line && JSON.parse(line).level >= echoFrom) {
          process.stderr.write(`${line}\n`);
        }
        if (!line.includes('"emailId"')) continue;
        const entry = JSON.parse(line) as { to?: string; text?: string };
        if (entry.to && entry.text) emails.push({ to: entry.to, text: entry.text });
      }
      done();
    },
  });
  let server: RunningServer;
  try {
    server = await startServer(
      {
        host: '127.0.0.1',
        port: 0,
        databaseUrl: db?.url,
        dataDir: undefined,
        adminKey,
        seedDemo: false,
        logLevel: 'info',
        ...overrides,
      },
      pino({ level: 'info' }, log),
    );
  } catch (e) {
    await db?.drop();
    throw e;
  }
  const connect = (apiKey: string, onBehalfOf?: string) =>
    createGatehouse({ url: server.url, apiKey, onBehalfOf });
  return {
    backend,
    url: server.url,
    adminKey,
    server,
    admin: connect(adminKey),
    connect,
    async emailTo(to) {
      const until = Date.now() + 10_000;
      for (;;) {
        const mail = emails.findLast((m) => m.to.toLowerCase() === to.toLowerCase());
        if (mail) return mail.text;
        if (Date.now() > until) throw new Error(`no email to ${to} in the server log`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      try {
        await server.close();
      } finally {
        await db?.drop();
      }
    },
  };
}

/** The parts of a tRPC error a test asserts on. */
export interface CallError {
  /** tRPC code: `NOT_FOUND`, `FORBIDDEN`, `BAD_REQUEST`, ... */
  readonly code: string;
  /** The domain error code (`INVARIANT`, `INVALID`, ...), or null for input validation errors. */
  readonly domainCode: string | null;
  readonly httpStatus: number;
  readonly message: string;
}

/**
 * Awaits a call that must fail and returns its tRPC error. A call that succeeds, or fails with
 * something other than a tRPC error, fails the test with what it returned.
 */
/** The session of a login that asked for no second factor (throws when it did). */
export function sessionOf<T extends { readonly mfaRequired: boolean }>(
  r: T,
): Extract<T, { readonly mfaRequired: false }> {
  if (r.mfaRequired) throw new Error('this login asks for a second factor');
  return r as Extract<T, { readonly mfaRequired: false }>;
}

export async function failure(call: Promise<unknown>): Promise<CallError> {
  let value: unknown;
  try {
    value = await call;
  } catch (e) {
    if (!(e instanceof TRPCClientError)) throw e;
    const data = (e as TRPCClientError<AppRouter>).data;
    return {
      code: data?.code ?? 'UNKNOWN',
      domainCode: data?.domainCode ?? null,
      httpStatus: data?.httpStatus ?? 0,
      message: e.message,
    };
  }
  throw new Error(`expected the call to fail, but it returned ${JSON.stringify(value)}`);
}

/** Largest of the revisions seen, for `minRevision`. */
export class RevisionTracker {
  private max = 0;
  /** Records a write's revision and returns the write's result. */
  note<T>(write: { result: T; revision: number }): T {
    if (write.revision > this.max) this.max = write.revision;
    return write.result;
  }
  get latest(): number {
    return this.max;
  }
}

/** An org created by the instance admin with its owner and an owner-equivalent API client. */
export interface OrgFixture {
  readonly orgId: string;
  readonly ownerUserId: string;
  readonly clientId: string;
  readonly clientKey: string;
  /** SDK client with the owner-equivalent API client's key. */
  readonly gh: Gatehouse;
  readonly revisions: RevisionTracker;
}

/**
 * Creates an org with `preset`, an owner (the preset's owner role at the root, given by org
 * creation) and an API client holding `clientRole` at the root.
 */
export async function createOrgFixture(
  t: TestServer,
  opts: { name: string; preset: string; clientRole: string; ownerEmail?: string },
): Promise<OrgFixture> {
  const revisions = new RevisionTracker();
  const suffix = randomBytes(4).toString('hex');
  const ownerEmail = opts.ownerEmail ?? `owner-${suffix}@example.com`;
  const org = revisions.note(
    await t.admin.api.orgs.create.mutate({
      name: opts.name,
      preset: opts.preset,
      owner: { email: ownerEmail, name: 'Owner' },
    }),
  );
  const issued = revisions.note(
    await t.admin.api.apiClients.create.mutate({
      orgId: org.id,
      name: `${opts.name} owner client`,
      roles: [{ role: opts.clientRole }],
    }),
  );
  const gh = t.connect(issued.key);
  const members = await gh.api.members.list.query({ orgId: org.id });
  const owner = members.items.find((m) => m.email === ownerEmail);
  if (!owner?.userId) throw new Error(`owner ${ownerEmail} is not listed as a member`);
  return {
    orgId: org.id,
    ownerUserId: owner.userId,
    clientId: issued.client.id,
    clientKey: issued.key,
    gh,
    revisions,
  };
}

/** A unique email for a test user. */
export const email = (who: string) => `${who}-${randomBytes(4).toString('hex')}@example.com`;

/** One cell of a seed's table: a subject's permissions at a scope, all allowed or all denied. */
export interface Cell {
  /** Names the cell in a failure: "Developer — Manage webhooks". */
  readonly label: string;
  readonly subject: string;
  readonly scope: string;
  readonly permissions: readonly string[];
  readonly expected: boolean;
  readonly environment?: 'live' | 'sandbox' | undefined;
}

/**
 * Checks every cell with ONE `authz.checkMany` call at `minRevision` and asserts each of them:
 * an allowed cell holds every one of its permissions, a denied cell holds none; `authz.canMany`
 * must give the same answers. Returns the number of single checks made.
 */
export async function expectCells(
  gh: Gatehouse,
  orgId: string,
  minRevision: number,
  cells: readonly Cell[],
): Promise<number> {
  const checks = cells.flatMap((c) =>
    c.permissions.map((permission) => ({
      subject: c.subject,
      permission,
      scope: c.scope,
      ...(c.environment ? { environment: c.environment } : {}),
    })),
  );
  const { revision, result } = await gh.api.authz.checkMany.query({ orgId, minRevision, checks });
  expect(revision).toBeGreaterThanOrEqual(minRevision);
  expect(result).toHaveLength(checks.length);
  const wrong: string[] = [];
  let i = 0;
  for (const c of cells) {
    for (const p of c.permissions) {
      const d = result[i++]!;
      if (d.allowed !== c.expected) {
        wrong.push(
          `${c.label}: ${p}${c.environment ? ` (${c.environment})` : ''} was ${d.allowed ? 'allowed' : `denied (${d.reason})`}`,
        );
      }
    }
  }
  expect(wrong).toEqual([]);
  const can = await gh.api.authz.canMany.query({ orgId, minRevision, checks });
  expect(can.result).toEqual(result.map((d) => d.allowed));
  return checks.length;
}

/**
 * Issue 16: one process per embedded data folder. Real child processes (node + tsx running this
 * package's source) open one temp folder: a second opener is refused with the holder named and
 * the first one's writes all survive; a holder killed with SIGKILL leaves a stale lock that the
 * next start takes over, data intact; starters racing over one stale lock end with one winner.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from './create-db.js';
import { DataDirLockedError, LOCK_FILE, type LockHolder, lockDataDir } from './data-dir-lock.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
/** A child process booting tsx and PGlite can take minutes when the machine is busy (CI). */
const WAIT_MS = 240_000;
const TEST_MS = 900_000;
const src = (file: string) => JSON.stringify(fileURLToPath(new URL(file, import.meta.url)));

const folders: string[] = [];
function tempFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gh-lock-'));
  folders.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

/** A child process and everything it printed. */
interface Child {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves once the output matches. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `code` (an ES module body; `createDb` and `lockDataDir` in scope) in a new process. */
function run(code: string, env: Record<string, string> = {}): Child {
  const prelude = `const { createDb } = await import(${src('./create-db.ts')});
const { lockDataDir } = await import(${src('./data-dir-lock.ts')});
const dir = process.env.DIR;\n`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', prelude + code],
    { cwd: pkgDir, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (b: Buffer) => {
    out += b.toString();
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => out,
    exited,
    waitFor(pattern, ms = WAIT_MS) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(out);
          if (!m) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(m);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${pattern} within ${ms} ms; output:\n${out}`));
        }, ms);
        listeners.add(check);
        void exited.then(() => setTimeout(check, 10));
        check();
      });
    },
  };
}

/**
 * Opens the folder, creates a table, then obeys stdin lines: `add N` inserts N rows (one
 * statement each, then acknowledged with `added N`), `count` prints `count N`, one line after the
 * other; SIGTERM closes.
 */
const WRITER = `
const g = await createDb({ dataDir: dir, migrate: false, owner: 'lock test writer' });
await g.db.schema.createTable('notes').ifNotExists().addColumn('n', 'integer').execute();
let n = 0;
process.on('SIGTERM', async () => { await g.close(); console.log('closed'); process.exit(0); });
const { createInterface } = await import('node:readline');
console.log('opened pid ' + process.pid);
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, arg] = line.split(' ');
  if (cmd === 'add') {
    for (let i = 0; i < Number(arg); i++) {
      await g.db.insertInto('notes').values({ n: n++ }).execute();
    }
    console.log('added ' + arg);
  } else if (cmd === 'count') {
    const r = await g.db.selectFrom('notes').select((eb) => eb.fn.countAll().as('c')).executeTakeFirstOrThrow();
    console.log('count ' + r.c);
  }
}
`;

/** Opens the folder, prints the row count and closes. */
const COUNTER = `
try {
  const g = await createDb({ dataDir: dir, migrate: false, owner: 'lock test counter' });
  const r = await g.db.selectFrom('notes').select((eb) => eb.fn.countAll().as('c')).executeTakeFirstOrThrow();
  console.log('count ' + r.c + (g.dataDirLock?.tookOverFrom ? ' took over from ' + g.dataDirLock.tookOverFrom.pid : ''));
  await g.close();
} catch (e) {
  console.error(e.name + ': ' + e.message);
  process.exit(3);
}
`;

async function stop(c: Child): Promise<void> {
  c.child.kill('SIGTERM');
  await c.exited;
}

/** A PID that certainly belongs to no process: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

function holder(overrides: Partial<LockHolder>): LockHolder {
  return {
    pid: deadPid(),
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    lockedAt: new Date().toISOString(),
    owner: 'planted',
    nonce: 'planted',
    ...overrides,
  };
}

function plant(dir: string, h: LockHolder): void {
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify(h));
}

describe('embedded data folder lock (issue 16): two processes on one folder', {
  timeout: TEST_MS,
}, () => {
  it('the second process is refused naming the holder; every acknowledged write survives a restart', async () => {
    const dir = tempFolder();
    const a = run(WRITER, { DIR: dir });
    await a.waitFor(/opened pid (\d+)/);
    const lock = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockHolder;
    expect(lock).toMatchObject({ pid: a.child.pid, owner: 'lock test writer' });
    a.child.stdin?.write('add 20\n');
    await a.waitFor(/added 20/);

    // A second process on the same folder while A runs: refused, A named, nothing opened.
    const b = run(COUNTER, { DIR: dir });
    const bExit = await b.exited;
    expect(bExit.code).toBe(3);
    expect(b.output()).toContain('DataDirLockedError');
    expect(b.output()).toContain(`in use by lock test writer (PID ${a.child.pid} on ${hostname()}`);
    expect(b.output()).toContain('GATEHOUSE_DATA_DIR');

    // A goes on writing after the refusal, then stops cleanly and releases the folder.
    a.child.stdin?.write('add 20\ncount\n');
    await a.waitFor(/count 40/);
    await stop(a);
    expect(a.output()).toContain('closed');
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);

    const c = run(COUNTER, { DIR: dir });
    expect((await c.exited).code).toBe(0);
    expect(c.output()).toMatch(/^count 40$/m);
  });

  it('kill -9 leaves a stale lock; the next start takes it over with the data intact', async () => {
    const dir = tempFolder();
    const a = run(WRITER, { DIR: dir });
    await a.waitFor(/opened pid/);
    a.child.stdin?.write('add 25\n');
    await a.waitFor(/added 25/);
    a.child.kill('SIGKILL');
    await a.exited;
    const left = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockHolder;
    expect(left.pid).toBe(a.child.pid);

    const c = run(COUNTER, { DIR: dir });
    expect((await c.exited).code, c.output()).toBe(0);
    expect(c.output()).toMatch(new RegExp(`^count 25 took over from ${a.child.pid}$`, 'm'));
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('starters racing over one stale lock: exactly one wins, the others name it', async () => {
    for (let round = 0; round < 2; round++) {
      const dir = tempFolder();
      plant(dir, holder({}));
      // Each racer loads, says ready and waits for "go", so that all of them race at once, and
      // pauses up to 300 ms between finding the stale lock and taking it over (so that some find
      // it while others are already taking over; without the takeover file, most rounds end
      // with several winners). A winner holds the lock until its stdin closes, after every racer
      // has answered.
      const racers = Array.from({ length: 6 }, () =>
        run(
          `const { createInterface } = await import('node:readline');
const lines = createInterface({ input: process.stdin });
console.log('ready');
await new Promise((r) => lines.once('line', r));
try {
  const lock = await lockDataDir(dir, {
    owner: 'racer',
    onStale: () => new Promise((r) => setTimeout(r, Math.random() * 300)),
  });
  console.log('won ' + process.pid);
  await new Promise((r) => lines.once('close', r));
  lock.release();
} catch (e) {
  console.log('refused: ' + e.message);
  lines.close();
}`,
          { DIR: dir },
        ),
      );
      await Promise.all(racers.map((r) => r.waitFor(/^ready$/m)));
      for (const r of racers) r.child.stdin?.write('go\n');
      await Promise.all(racers.map((r) => r.waitFor(/^(won|refused)/m)));
      for (const r of racers) r.child.stdin?.end();
      await Promise.all(racers.map((r) => r.exited));
      const outputs = racers.map((r) => r.output());
      const winners = outputs.filter((o) => /^won /m.test(o));
      expect(winners, outputs.join('\n')).toHaveLength(1);
      const winner = /^won (\d+)/m.exec(winners[0]!)![1];
      for (const o of outputs.filter((o) => !/^won /m.test(o))) {
        expect(o).toContain(`in use by racer (PID ${winner} `);
      }
      expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    }
  });
});

describe('embedded data folder lock (issue 16): stale or live', { timeout: TEST_MS }, () => {
  it('locks, refuses a second open in the same process, and releases', async () => {
    const dir = tempFolder();
    const lock = await lockDataDir(dir, { owner: 'unit test' });
    expect(lock.holder).toMatchObject({ pid: process.pid, owner: 'unit test' });
    await expect(lockDataDir(dir)).rejects.toThrow(/this process \(PID \d+, unit test\)/);
    lock.annotate({ url: 'http://127.0.0.1:4321' });
    expect(JSON.parse(readFileSync(lock.file, 'utf8'))).toMatchObject({
      url: 'http://127.0.0.1:4321',
      nonce: lock.holder.nonce,
    });
    lock.release();
    lock.release();
    expect(existsSync(lock.file)).toBe(false);
    const again = await lockDataDir(dir);
    expect(again.tookOverFrom).toBeUndefined();
    again.release();
  });

  it('a live holder is refused with its PID, start time, URL and what to do', async () => {
    const dir = tempFolder();
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const live = holder({
        pid: sleeper.pid!,
        procStart: procStartOf(sleeper.pid!),
        startedAt: '2026-01-02T03:04:05.000Z',
        owner: 'gatehouse server',
        url: 'http://127.0.0.1:4000',
      });
      plant(dir, live);
      const err = await lockDataDir(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataDirLockedError);
      const message = (err as Error).message;
      expect(message).toContain(
        `in use by gatehouse server (PID ${sleeper.pid} on ${hostname()}, started 2026-01-02T03:04:05.000Z, serving http://127.0.0.1:4000)`,
      );
      expect(message).toMatch(/Stop that process first/);
      expect((err as DataDirLockedError).holder).toEqual(live);
      expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('a dead PID, a reused PID (other start time), a reboot and an unreadable old file are stale', async () => {
    const cases: Array<[string, LockHolder | string]> = [
      ['dead pid', holder({})],
      ['reused pid', holder({ pid: process.ppid, procStart: '1' })],
      ['rebooted', holder({ pid: process.ppid, bootId: 'another-boot' })],
      ['own pid, not held', holder({ pid: process.pid })],
      ['unreadable', ''],
    ];
    for (const [name, content] of cases) {
      const dir = tempFolder();
      const file = join(dir, LOCK_FILE);
      if (typeof content === 'string') {
        writeFileSync(file, content);
        const old = new Date(Date.now() - 60_000);
        const { utimesSync } = await import('node:fs');
        utimesSync(file, old, old);
      } else {
        plant(dir, content);
      }
      const lock = await lockDataDir(dir);
      expect(lock.holder.pid, name).toBe(process.pid);
      if (typeof content !== 'string') expect(lock.tookOverFrom, name).toEqual(content);
      lock.release();
    }
  });

  it('the live parent process, and a holder on another host, are never taken over', async () => {
    const dir = tempFolder();
    plant(dir, holder({ pid: process.ppid, procStart: procStartOf(process.ppid) }));
    await expect(lockDataDir(dir)).rejects.toThrow(`(PID ${process.ppid} on`);
    plant(dir, holder({ hostname: 'elsewhere.example' }));
    await expect(lockDataDir(dir)).rejects.toThrow(
      /on elsewhere\.example.*another host.*if it is not, delete .*gatehouse\.lock/s,
    );
  });

  it('a takeover file left by a dead process does not block the next start', async () => {
    const dir = tempFolder();
    plant(dir, holder({}));
    writeFileSync(join(dir, `${LOCK_FILE}.takeover`), JSON.stringify(holder({ nonce: 'dead' })));
    const lock = await lockDataDir(dir);
    expect(existsSync(join(dir, `${LOCK_FILE}.takeover`))).toBe(false);
    lock.release();
  });

  it('createDb holds the folder until close, and in-memory databases take no lock', async () => {
    const dir = tempFolder();
    const g = await createDb({ dataDir: dir, migrate: false, owner: 'createDb test' });
    expect(g.dataDirLock?.holder.owner).toBe('createDb test');
    await expect(createDb({ dataDir: dir, migrate: false })).rejects.toThrow(DataDirLockedError);
    await g.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const mem = await createDb({ migrate: false });
    expect(mem.dataDirLock).toBeUndefined();
    await mem.close();
  });
});

function procStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * Server processes for tests that need more than one: `node apps/server/dist/main.js` started
 * with only the Gatehouse settings a test passes (PORT 0, no demo org, warnings only, unless the
 * test says otherwise).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { serverDist } from './harness.js';

/** How a process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A server process and what it printed. */
export interface ServerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
  /** Resolves with how the process ended. */
  readonly exited: Promise<Exit>;
}

/** Spawns `node main.js`; the environment holds no Gatehouse settings but the test's. */
function spawnServer(env: Record<string, string>) {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('GATEHOUSE_') && k !== 'DATABASE_URL' && k !== 'PORT') base[k] = v;
  }
  const child = spawn(process.execPath, [serverDist.main], {
    env: { ...base, HOST: '127.0.0.1', PORT: '0', GATEHOUSE_DEMO: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, exited };
}

/** Starts `node main.js` with PORT=0 and resolves once its banner names the URL it listens on. */
export function startProcess(
  name: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<ServerProcess> {
  const { child, output, exited } = spawnServer(env);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} printed no URL within ${timeoutMs / 1000} s:\n${output()}`));
    }, timeoutMs);
    const onData = () => {
      const m = /Gatehouse is running at (http:\/\/\S+)/.exec(output());
      if (!m) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve({ name, child, url: m[1]!, output, exited });
    };
    child.stdout?.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${output()}`));
    });
  });
}

/** Starts `node main.js` expecting it to stop by itself; resolves with its exit and output. */
export async function runProcess(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<Exit & { output: string }> {
  const { child, output, exited } = spawnServer(env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exit = await exited;
  clearTimeout(timer);
  return { ...exit, output: output() };
}

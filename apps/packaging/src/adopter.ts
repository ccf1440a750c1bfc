/**
 * The adopter's side of the packaging test: packs the published packages, installs the tarballs
 * with npm into an app outside the workspace (`fixture/` plus the READMEs' quick starts), runs
 * tools there, and starts a real server with the demo organization.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = fileURLToPath(new URL('../fixture/', import.meta.url));
const require = createRequire(import.meta.url);

/** The packages the repository publishes, and their folders. */
export const published = [
  { name: '@gatehouse/core', dir: 'packages/core' },
  { name: '@gatehouse/sdk', dir: 'packages/sdk' },
] as const;

/** An older TypeScript the adopter app also type-checks with (what many apps still run). */
export const OLDER_TYPESCRIPT = '5.9.3';

/** What a finished command printed. */
export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command with no stdin; never throws for a non-zero exit. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 240_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a command and returns its stdout; throws with everything it printed if it fails. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<string> {
  const r = await run(command, args, options);
  if (r.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${options.cwd}) exited ${r.code}\n${r.stdout}${r.stderr}`,
    );
  }
  return r.stdout;
}

/** The pnpm that runs this test (`npm_execpath` under `pnpm test`), else `pnpm` on PATH. */
function pnpm(): [string, string[]] {
  const execPath = process.env.npm_execpath;
  if (execPath && basename(execPath).startsWith('pnpm')) {
    return /\.[cm]?js$/.test(execPath) ? [process.execPath, [execPath]] : [execPath, []];
  }
  return ['pnpm', []];
}

/** The environment of an adopter's npm: this one without the npm_* settings pnpm passed down. */
function adopterEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return env;
}

/** The code block under a README's `## Quick start` heading that is TypeScript. */
export function quickStartOf(readme: string): string {
  const section = readFileSync(readme, 'utf8')
    .split(/^## Quick start$/m)[1]
    ?.split(/^## /m)[0];
  const code = section ? /```ts\n([\s\S]*?)```/.exec(section)?.[1] : undefined;
  if (!code) throw new Error(`${readme} has no TypeScript block under "## Quick start"`);
  return code;
}

/** The adopter app: a folder outside the workspace with the tarballs installed. */
export interface AdopterApp {
  readonly dir: string;
  /** Tarball file name per published package. */
  readonly tarballs: Readonly<Record<string, string>>;
  /** Runs `tsc` of the app's TypeScript 7, or of the older one. */
  tsc(which: 'current' | 'older', args: readonly string[]): Promise<RunResult>;
}

/**
 * Packs both packages with pnpm (as `pnpm publish` would: workspace and catalog versions
 * replaced), copies the fixture and the quick starts into a new temporary folder and installs
 * the tarballs there with npm; their dependencies come from the registry.
 */
export async function createAdopterApp(): Promise<AdopterApp> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-adopter-'));
  cpSync(fixture, dir, { recursive: true });
  const [pnpmCommand, pnpmArgs] = pnpm();
  for (const p of published) {
    await runOk(pnpmCommand, [...pnpmArgs, 'pack', '--pack-destination', dir], {
      cwd: join(repoRoot, p.dir),
    });
  }
  const tarballs: Record<string, string> = {};
  for (const p of published) {
    const prefix = `${p.name.replace('@', '').replace('/', '-')}-`;
    const file = readdirSync(dir).find((f) => f.startsWith(prefix) && f.endsWith('.tgz'));
    if (!file) throw new Error(`pnpm pack made no tarball for ${p.name} in ${dir}`);
    tarballs[p.name] = file;
  }
  writeFileSync(join(dir, 'src', 'quickstart-core.ts'), quickStartOf(readme('packages/core')));
  writeFileSync(join(dir, 'src', 'quickstart-sdk.ts'), quickStartOf(readme('packages/sdk')));
  const version = (name: string): string =>
    JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
  const manifest = {
    name: 'gatehouse-adopter',
    version: '0.0.0',
    private: true,
    type: 'module',
    dependencies: Object.fromEntries(
      Object.entries(tarballs).map(([name, file]) => [name, `file:./${file}`]),
    ),
    devDependencies: {
      '@types/node': version('@types/node'),
      typescript: version('typescript'),
      'typescript-older': `npm:typescript@${OLDER_TYPESCRIPT}`,
    },
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await runOk(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-update-notifier', '--prefer-offline'],
    { cwd: dir, env: adopterEnv() },
  );
  return {
    dir,
    tarballs,
    tsc: (which, args) => {
      const pkg = which === 'current' ? 'typescript' : 'typescript-older';
      return run(process.execPath, [join(dir, 'node_modules', pkg, 'bin', 'tsc'), ...args], {
        cwd: dir,
      });
    },
  };
}

const readme = (packageDir: string) => join(repoRoot, packageDir, 'README.md');

/** A Gatehouse server run as `node apps/server/dist/main.js`, with its demo organization. */
export interface DemoServer {
  readonly url: string;
  /** The demo API client key (org Admin) it printed. */
  readonly apiKey: string;
  readonly orgId: string;
  /** Bob: Workspace Editor of Marketing, nothing in Sales. */
  readonly bobId: string;
  readonly marketingId: string;
  readonly salesId: string;
  stop(): Promise<void>;
}

/** Starts the built server on a free port, in-memory PGlite, and reads what it printed. */
export async function startDemoServer(): Promise<DemoServer> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('GATEHOUSE_') && k !== 'DATABASE_URL' && k !== 'SMTP_URL') env[k] = v;
  }
  Object.assign(env, {
    HOST: '127.0.0.1',
    PORT: '0',
    GATEHOUSE_DATA_DIR: 'memory',
    GATEHOUSE_ADMIN_KEY: `packaging-test-${randomBytes(12).toString('hex')}`,
    GATEHOUSE_DEMO: '1',
    GATEHOUSE_AUDIT_PRUNE_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'warn',
  });
  const child = spawn(process.execPath, [join(repoRoot, 'apps/server/dist/main.js')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server was not ready within 180 s:\n${printed}`));
    }, 180_000);
    child.stdout.on('data', (d: Buffer) => {
      printed += d.toString();
      if (/ready in \d+ ms/.test(printed)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      printed += d.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it was ready:\n${printed}`));
    });
  });
  const find = (re: RegExp): string => {
    const m = re.exec(printed);
    if (!m?.[1]) throw new Error(`the server did not print ${re}:\n${printed}`);
    return m[1];
  };
  return {
    url: find(/Gatehouse is running at (http:\/\/\S+)/),
    apiKey: find(/demo API client key \(org Admin; shown once\): (\S+)/),
    orgId: find(/demo organization: (org_\w+)/),
    bobId: find(/--subject (usr_\w+)/),
    marketingId: find(/--permission flows\.write --scope (scp_\w+)/),
    salesId: find(/\.\.\. --scope (scp_\w+)/),
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * @gatehouse/core and @gatehouse/sdk as an adopter gets them: packed, installed with npm into an
 * app outside the workspace, type-checked, run against a real server, bundled for the browser.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type AdopterApp,
  createAdopterApp,
  type DemoServer,
  published,
  repoRoot,
  runOk,
  startDemoServer,
} from './adopter.js';

let app: AdopterApp;
let server: DemoServer;

beforeAll(async () => {
  const started = await Promise.allSettled([createAdopterApp(), startDemoServer()]);
  if (started[1].status === 'fulfilled') server = started[1].value;
  if (started[0].status === 'rejected') throw started[0].reason;
  if (started[1].status === 'rejected') throw started[1].reason;
  app = started[0].value;
});

afterAll(async () => {
  await server?.stop();
  // KEEP_ADOPTER_APP=1 keeps the app's folder (it is printed) to look into after a failure.
  if (app && process.env.KEEP_ADOPTER_APP !== '1')
    rmSync(app.dir, { recursive: true, force: true });
  else if (app) console.log(`adopter app kept in ${app.dir}`);
});

/** The package as npm installed it in the adopter app. */
const installed = (name: string) => join(app.dir, 'node_modules', name);
const manifestOf = (name: string) =>
  JSON.parse(readFileSync(join(installed(name), 'package.json'), 'utf8'));

/** Module specifiers a declaration file imports or re-exports. */
function importsOf(dts: string): string[] {
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
  return [...new Set([...dts.matchAll(re)].map((m) => m[1] as string))].sort();
}
const packageOf = (id: string) => id.split('/', id.startsWith('@') ? 2 : 1).join('/');

describe.each(published)('$name as published', ({ name }) => {
  test('has exports with types, README, LICENSE and the npm metadata', () => {
    const m = manifestOf(name);
    for (const [subpath, target] of Object.entries<{ types: string; default: string }>(m.exports)) {
      expect(existsSync(join(installed(name), target.types)), `${subpath} types`).toBe(true);
      expect(existsSync(join(installed(name), target.default)), `${subpath} code`).toBe(true);
    }
    expect(m).toMatchObject({
      type: 'module',
      license: 'MIT',
      sideEffects: false,
      engines: { node: '>=20.19' },
      repository: {
        type: 'git',
        url: 'https://github.com/gatehouse-dev/gatehouse',
        directory: name.replace('@gatehouse/', 'packages/'),
      },
    });
    expect(m.keywords.length).toBeGreaterThan(0);
    expect(m.description).toBeTruthy();
    expect(readFileSync(join(installed(name), 'LICENSE'), 'utf8')).toBe(
      readFileSync(join(repoRoot, 'LICENSE'), 'utf8'),
    );
    expect(readFileSync(join(installed(name), 'README.md'), 'utf8')).toContain('## Quick start');
    // pnpm replaced workspace: and catalog: versions with real ones.
    for (const v of Object.values<string>({ ...m.dependencies, ...m.peerDependencies })) {
      expect(v).toMatch(/^\^?\d+\.\d+\.\d+/);
    }
  });

  test('its declarations import only its own dependencies', () => {
    const m = manifestOf(name);
    const deps = new Set(Object.keys({ ...m.dependencies, ...m.peerDependencies }));
    const dts = readFileSync(join(installed(name), m.exports['.'].types), 'utf8');
    for (const id of importsOf(dts)) {
      if (id.startsWith('.')) continue;
      expect(deps.has(packageOf(id)), `${id} imported by the declarations`).toBe(true);
    }
    expect(dts).not.toMatch(/@gatehouse\/(api|domain|db|server|scim)\b/);
  });
});

describe('the SDK', () => {
  test('publishes one declaration file of moderate size', () => {
    const dts = join(installed('@gatehouse/sdk'), 'dist', 'index.d.ts');
    const kib = statSync(dts).size / 1024;
    console.log(`@gatehouse/sdk dist/index.d.ts: ${kib.toFixed(1)} KiB`);
    expect(kib).toBeLessThan(120);
    expect(existsSync(join(installed('@gatehouse/sdk'), 'dist', 'types'))).toBe(false);
    expect(importsOf(readFileSync(dts, 'utf8')).filter((id) => !id.startsWith('.'))).toEqual([
      '@gatehouse/core',
      '@trpc/client',
      '@trpc/server',
    ]);
  });
});

describe('type-checking the adopter app (strict)', () => {
  // The app's server code (typed.ts, the quick starts) with Node's types; on the older
  // TypeScript with skipLibCheck only, since checking all of @types/node there takes a minute on
  // a busy machine and proves nothing about the SDK.
  test.each([
    { ts: 'current', skipLibCheck: 'true' },
    { ts: 'current', skipLibCheck: 'false' },
    { ts: 'older', skipLibCheck: 'true' },
  ] as const)(
    'TypeScript $ts, skipLibCheck $skipLibCheck: no errors, every @ts-expect-error met',
    async ({ ts, skipLibCheck }) => {
      const r = await app.tsc(ts, [
        '-p',
        'tsconfig.json',
        '--noEmit',
        '--skipLibCheck',
        skipLibCheck,
      ]);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.code).toBe(0);
    },
  );

  // The browser code with the DOM library and no Node types: with skipLibCheck false this checks
  // the SDK's, core's and tRPC's declarations themselves, on both TypeScript versions.
  test.each([
    { ts: 'current', skipLibCheck: 'true' },
    { ts: 'current', skipLibCheck: 'false' },
    { ts: 'older', skipLibCheck: 'false' },
  ] as const)(
    'the browser code, DOM library and no Node types, TypeScript $ts, skipLibCheck $skipLibCheck',
    async ({ ts, skipLibCheck }) => {
      const r = await app.tsc(ts, ['-p', 'tsconfig.browser.json', '--skipLibCheck', skipLibCheck]);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.code).toBe(0);
    },
  );

  test('control: with an SDK whose types are `any`, the same code fails to compile', async () => {
    // What adopters got before the router's types were bundled: `gh.api` was `any`.
    writeFileSync(
      join(app.dir, 'sdk-any.d.ts'),
      [
        'export declare function createGatehouse(options: unknown): any;',
        'export declare const TRPCClientError: any;',
        'export type TRPCClientError<T = unknown> = any;',
        'export type AppRouter = any;',
        'export type LocalChecker = any;',
        'export type RouterInputs = any;',
        'export type RouterOutputs = any;',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(app.dir, 'tsconfig.any.json'),
      JSON.stringify({
        extends: './tsconfig.json',
        compilerOptions: { noEmit: true, paths: { '@gatehouse/sdk': ['./sdk-any.d.ts'] } },
        include: [],
        files: ['src/typed.ts'],
      }),
    );
    const r = await app.tsc('current', ['-p', 'tsconfig.any.json']);
    const typed = readFileSync(join(app.dir, 'src', 'typed.ts'), 'utf8');
    const directives = typed.match(/^\s*\/\/ @ts-expect-error/gm)?.length ?? 0;
    expect(directives).toBeGreaterThanOrEqual(10);
    expect(r.code).not.toBe(0);
    // Every @ts-expect-error goes unused (TS2578), and `apiIsTyped` is wrong (TS2322).
    expect(r.stdout.match(/error TS2578/g)?.length).toBe(directives);
    expect(r.stdout).toContain('error TS2322');
  });
});

describe('typed names (issue 12): the installed core’s presetTypes registers them with the installed SDK', () => {
  /** Type-checks `typegen/usage.ts`, with the generated `gatehouse-env.d.ts` when `withTypes`. */
  function check(ts: 'current' | 'older', withTypes: boolean) {
    const config = `tsconfig.typegen${withTypes ? '' : '-none'}.json`;
    writeFileSync(
      join(app.dir, config),
      JSON.stringify({
        extends: './tsconfig.json',
        compilerOptions: { noEmit: true, rootDir: '.' },
        include: [],
        files: [...(withTypes ? ['gatehouse-env.d.ts'] : []), 'typegen/usage.ts'],
      }),
    );
    return app.tsc(ts, ['-p', config]);
  }

  beforeAll(async () => {
    const script = [
      "import { writeFileSync } from 'node:fs';",
      "import { flowcodePreset, presetDocument, presetTypes } from '@gatehouse/core';",
      "writeFileSync('gatehouse-env.d.ts', presetTypes(presetDocument(flowcodePreset)));",
    ].join('\n');
    await runOk(process.execPath, ['--input-type=module', '-e', script], { cwd: app.dir });
  });

  test.each(['current', 'older'] as const)(
    'TypeScript %s: right names compile, every typo is an error',
    async (ts) => {
      const r = await check(ts, true);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.code).toBe(0);
    },
  );

  test('control: without the generated file every name is a string', async () => {
    const r = await check('current', false);
    const usage = readFileSync(join(app.dir, 'typegen', 'usage.ts'), 'utf8');
    const directives = usage.match(/^\s*\/\/ @ts-expect-error/gm)?.length ?? 0;
    expect(directives).toBe(3);
    expect(r.stdout.match(/error TS2578/g)?.length).toBe(directives);
  });
});

describe('running the READMEs’ quick starts as written (Node ESM, the installed tarballs)', () => {
  beforeAll(async () => {
    const r = await app.tsc('current', ['-p', 'tsconfig.json']);
    if (r.code !== 0) throw new Error(`tsc failed:\n${r.stdout}${r.stderr}`);
  });

  test('@gatehouse/core: allowed in Marketing, denied in Sales', async () => {
    const out = await runOk(process.execPath, ['dist/quickstart-core.js'], { cwd: app.dir });
    const [first, ...rest] = out.trim().split('\n');
    expect(first).toBe('true');
    expect(rest.join('\n')).toContain("code: 'no_grant'");
    expect(rest.join('\n')).toContain('allowed: false');
  });

  test('@gatehouse/sdk: a check against a real server, then local checks from its snapshot', async () => {
    const out = await runOk(process.execPath, ['dist/quickstart-sdk.js'], {
      cwd: app.dir,
      env: { ...process.env, GATEHOUSE_URL: server.url, GATEHOUSE_KEY: server.apiKey },
    });
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^true \d+$/);
    expect(lines[1]).toBe('true');
    expect(lines.slice(2).join('\n')).toContain("code: 'no_grant'");
    expect(lines.slice(2).join('\n')).toContain(server.salesId);
    expect(lines.at(-1)).toBe('[ true, false ]');
  });
});

describe('bundling the local checker for the browser (esbuild, platform browser)', () => {
  const outfile = () => join(app.dir, 'dist-browser', 'checker.js');

  test('bundles without errors and without Node built-ins', async () => {
    const result = await build({
      absWorkingDir: app.dir,
      entryPoints: ['src/browser.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      outfile: outfile(),
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    const builtins = new Set(builtinModules);
    expect(inputs.filter((i) => i.startsWith('node:') || builtins.has(i))).toEqual([]);
    // The engine itself went into the bundle, from the installed @gatehouse/core.
    expect(inputs.some((i) => i.startsWith('node_modules/@gatehouse/core/dist/'))).toBe(true);
    const js = readFileSync(outfile(), 'utf8');
    expect(js).not.toMatch(/(?:from\s*|import\s*\(\s*|require\(\s*)["'](?:node:|fs["']|path["'])/);
    console.log(`browser bundle: ${(js.length / 1024).toFixed(1)} KiB`);
  });

  test('the bundle answers as the server: allowed in Marketing, denied in Sales', async () => {
    const bundle: {
      loadChecker(options: { url: string; apiKey: string }, orgId: string): Promise<unknown>;
      canEditFlows(checker: unknown, userId: string, scopeId: string): boolean;
    } = await import(pathToFileURL(outfile()).href);
    const checker = await bundle.loadChecker(
      { url: server.url, apiKey: server.apiKey },
      server.orgId,
    );
    expect(bundle.canEditFlows(checker, server.bobId, server.marketingId)).toBe(true);
    expect(bundle.canEditFlows(checker, server.bobId, server.salesId)).toBe(false);
  });
});

test('the adopter app lives outside the workspace', () => {
  expect(app.dir.startsWith(repoRoot)).toBe(false);
  expect(existsSync(join(app.dir, 'node_modules', '@gatehouse', 'sdk', 'src'))).toBe(false);
});

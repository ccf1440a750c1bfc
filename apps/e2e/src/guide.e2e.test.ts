/**
 * Issue 12: `docs/model-your-product.md` works as written. Its blocks run in order against a
 * real server: a `json FILE` or `ts FILE` block writes the file; each line of an `sh` block runs
 * (`pnpm gatehouse …` through the built CLI, `npx tsx FILE` through tsx, `export K=V` sets the
 * environment, a `<…>` value being the id the previous command printed; `pnpm start` is the
 * server this test started); each line of a `text` block must appear in the output of the `sh`
 * block before it (`…` stands for an id).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverDist, startTestServer, type TestServer } from './harness.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '../../..');
const guide = readFileSync(join(root, 'docs/model-your-product.md'), 'utf8');

interface Block {
  readonly lang: string;
  readonly file: string | undefined;
  readonly body: string;
}

/** The guide's fenced blocks, in order. */
function blocks(markdown: string): Block[] {
  return [...markdown.matchAll(/^```(\w+)(?: ([^\n]+))?\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1]!,
    file: m[2],
    body: m[3]!,
  }));
}

/** Splits a command line into words, honouring double quotes. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

function run(
  file: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      file,
      args,
      { cwd, env: { ...process.env, ...env }, timeout: 60_000 },
      (err, out, e) => {
        if (err) fail(new Error(`${[file, ...args].join(' ')} failed: ${err.message}\n${out}${e}`));
        else done(out + e);
      },
    );
  });
}

describe('docs/model-your-product.md, run as written', () => {
  let t: TestServer;
  let dir: string;
  beforeAll(async () => {
    t = await startTestServer({ name: 'pglite' });
    // Inside apps/e2e, so that `import '@gatehouse/sdk'` in the guide's script resolves.
    dir = mkdtempSync(join(here, '..', '.guide-'));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('R1 every command and script of the guide works and prints what the guide shows', async () => {
    const env: Record<string, string> = {};
    let output = '';
    let ran = 0;
    for (const b of blocks(guide)) {
      if (b.file) {
        writeFileSync(join(dir, b.file), b.body);
      } else if (b.lang === 'sh') {
        output = '';
        for (const line of b.body.split('\n').map((l) => l.trim())) {
          if (!line || line.startsWith('#') || line === 'pnpm start') continue;
          const exported = /^export (\w+)=(.*)$/.exec(line);
          if (exported) {
            const [, name, value] = exported;
            if (name === 'GATEHOUSE_URL') env[name] = t.url;
            else if (name === 'GATEHOUSE_ADMIN_KEY') env[name] = t.adminKey;
            else if (value!.startsWith('<')) {
              const id = /\borg_[0-9a-z]+/.exec(output)?.[0];
              expect(id, `${line}: no id in the output before it`).toBeDefined();
              env[name!] = id!;
            } else env[name!] = value!;
            continue;
          }
          const [cmd, ...args] = words(line);
          if (cmd === 'pnpm' && args[0] === 'gatehouse') {
            output += await run(process.execPath, [serverDist.cli, ...args.slice(1)], dir, env);
          } else if (cmd === 'npx' && args[0] === 'tsx') {
            output += await run(join(root, 'node_modules/.bin/tsx'), args.slice(1), dir, env);
          } else {
            throw new Error(`the guide runs a command this test does not know: ${line}`);
          }
          ran++;
        }
      } else if (b.lang === 'text') {
        for (const line of b.body.split('\n').filter((l) => l.trim())) {
          const pattern = line
            .split('…')
            .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
            .join('\\S*');
          expect(output, `the guide shows "${line}"`).toMatch(new RegExp(`^${pattern}$`, 'm'));
        }
      }
    }
    expect(ran).toBe(9);
  });
});

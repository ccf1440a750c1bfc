/**
 * Issue 12: `gatehouse typegen` in process. It writes what `presetTypes` writes, for a preset
 * file (validated, every problem with its path) or a preset key; the key is resolved by a
 * function the command is given (built-in presets by default). The built CLI is run in
 * `apps/e2e/src/typegen.e2e.test.ts`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { idnowPreset, presetDocument, presetTypes } from '@gatehouse/core';
import { docsAppDocument } from '@gatehouse/core/reference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TypegenOptions, typegenCommand } from './typegen.js';

class Failed extends Error {}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-typegen-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the command; what it printed, or the message it failed with. */
async function typegen(
  options: Omit<TypegenOptions, 'print' | 'fail'>,
): Promise<{ printed: string[]; failed?: string }> {
  const printed: string[] = [];
  try {
    await typegenCommand({
      ...options,
      print: (t) => printed.push(t),
      fail: (m) => {
        throw new Failed(m);
      },
    });
    return { printed };
  } catch (e) {
    if (e instanceof Failed) return { printed, failed: e.message };
    throw e;
  }
}

describe('issue 12: gatehouse typegen', () => {
  it('--preset KEY prints the names of a built-in preset', async () => {
    const r = await typegen({ preset: 'idnow' });
    expect(r.failed).toBeUndefined();
    expect(`${r.printed.join('\n')}\n`).toBe(
      presetTypes(presetDocument(idnowPreset), { command: 'gatehouse typegen --preset idnow' }),
    );
  });

  it('--file FILE --out OUT writes the names of the file’s preset', async () => {
    const file = join(dir, 'docs-app.json');
    const out = join(dir, 'gatehouse-env.d.ts');
    writeFileSync(file, JSON.stringify(docsAppDocument, null, 2));
    const r = await typegen({ file, out });
    expect(r.failed).toBeUndefined();
    expect(r.printed).toEqual([`wrote ${out}: the names of preset "docs-app"`]);
    const text = readFileSync(out, 'utf8');
    expect(text).toBe(
      presetTypes(docsAppDocument, { command: `gatehouse typegen --file ${file}` }),
    );
    expect(text).toContain('  | "docs.write"');
  });

  it('a bad file fails with every problem at its path', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...docsAppDocument,
        roles: {
          ...docsAppDocument.roles,
          reader: { name: 'Reader', permissions: ['docs.wirte'] },
        },
        ownerRole: 'admin',
      }),
    );
    const r = await typegen({ file });
    expect(r.failed).toContain(`${file}: preset "docs-app" is invalid (2 problems):`);
    expect(r.failed).toContain('roles.reader.permissions[0]: unknown permission "docs.wirte"');
    expect(r.failed).toContain('ownerRole: unknown role "admin"');
    writeFileSync(file, '{ not json');
    expect((await typegen({ file })).failed).toMatch(/bad\.json: not JSON: /);
    expect((await typegen({ file: join(dir, 'missing.json') })).failed).toBe(
      `${join(dir, 'missing.json')}: no such file`,
    );
  });

  it('an unknown key fails naming the presets there are; the resolver is given', async () => {
    expect((await typegen({ preset: 'nope' })).failed).toBe(
      'unknown preset "nope" (built-in presets: idnow, flowcode, idv-console, idwise, identity-platform)',
    );
    // The seam for presets stored on a server: any resolver of a key to a document.
    const r = await typegen({ preset: 'docs-app', resolvePreset: async () => docsAppDocument });
    expect(r.printed[0]).toContain('from preset "docs-app"');
  });

  it('takes exactly one of --file and --preset', async () => {
    const message = 'typegen takes one of --file FILE and --preset KEY';
    expect((await typegen({})).failed).toBe(message);
    expect((await typegen({ file: 'a.json', preset: 'idnow' })).failed).toBe(message);
  });
});

/**
 * Issue 12 as an operator meets it: `node apps/server/dist/main.js` with `GATEHOUSE_PRESETS`
 * naming a bad preset file stops at once, before the database is opened, with exit code 1 and a
 * plain message naming the file and each problem at its path.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docsAppDocument } from '@gatehouse/core/reference';
import { afterAll, describe, expect, it } from 'vitest';
import { runProcess } from './server-process.js';

describe('issue 12: GATEHOUSE_PRESETS with a bad file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-e2e-presets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('R1 the server exits 1 naming the file and every path error, and opens no database', async () => {
    const bad = join(dir, 'docs-app.json');
    const roles = { ...docsAppDocument.roles, editor: { name: 'E', permissions: ['docs.wirte'] } };
    writeFileSync(bad, JSON.stringify({ ...docsAppDocument, roles, rootKind: 'org' }));
    const dataDir = join(dir, 'data');
    const run = await runProcess({
      GATEHOUSE_PRESETS: join(dir, '*.json'),
      GATEHOUSE_DATA_DIR: dataDir,
    });
    expect(run.code, run.output).toBe(1);
    expect(run.output).toContain(
      `Gatehouse did not start. GATEHOUSE_PRESETS: 1 preset file problem:\n${bad}: preset "docs-app" is invalid (2 problems):\n` +
        '  rootKind: unknown scope kind "org"\n' +
        '  roles.editor.permissions[0]: unknown permission "docs.wirte"\n',
    );
    expect(run.output).not.toContain('Gatehouse is running');
    expect(existsSync(dataDir)).toBe(false);
    expect(run.output).not.toMatch(/"level":/); // a plain message, not a log record
  });
});

/**
 * Issue 12: `GATEHOUSE_PRESETS` names preset documents the server reads at start. A real server
 * started on such a file creates organizations on the preset through the SDK and answers checks
 * by it; a bad file stops the start, naming the file and every problem at its path.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { presetDocument, presets } from '@gatehouse/core';
import { docsAppDocument } from '@gatehouse/core/reference';
import { createGatehouse } from '@gatehouse/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv, type ServerConfig } from './config.js';
import { PresetFilesError, presetRegistryFromFiles } from './preset-files.js';
import { type RunningServer, startServer } from './server.js';

const adminKey = 'preset-files-test-admin-key';
const config: ServerConfig = {
  host: '127.0.0.1',
  port: 0,
  databaseUrl: undefined,
  dataDir: undefined,
  adminKey,
  seedDemo: false,
  logLevel: 'silent',
};

let dir: string;
/** Writes `json` to `name` in the test's folder; returns its path. */
function file(name: string, json: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json, null, 2));
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-presets-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('issue 12: a server started with GATEHOUSE_PRESETS', () => {
  let server: RunningServer;
  beforeAll(async () => {
    mkdirSync(join(dir, 'good'));
    file('good/docs-app.json', docsAppDocument);
    const env = { GATEHOUSE_PRESETS: `${join(dir, 'good', '*.json')}` };
    server = await startServer({ ...config, presetFiles: configFromEnv(env).presetFiles });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('R2 T2 R5 C1 creates an org on the file’s preset through the SDK, assigns a role, checks a permission', async () => {
    const gh = createGatehouse({ url: server.url, apiKey: adminKey });
    const { result: org } = await gh.api.orgs.create.mutate({
      name: 'Handbook Inc',
      preset: 'docs-app',
      owner: { email: 'owner@handbook.test' },
    });
    expect(org.preset).toBe('docs-app');
    const orgId = org.id;
    const { result: project } = await gh.api.scopes.create.mutate({
      orgId,
      kind: 'project',
      name: 'Guides',
    });
    const { result: writer, revision } = await gh.api.members.add.mutate({
      orgId,
      email: 'writer@handbook.test',
      roles: [{ role: 'writer', scopeId: project.id }],
    });
    const check = async (permission: string, scope: string) =>
      (
        await gh.api.authz.check.query({
          orgId,
          subject: writer.userId,
          permission,
          scope,
          minRevision: revision,
        })
      ).result.allowed;
    expect(await check('docs.write', project.id)).toBe(true);
    expect(await check('docs.delete', project.id)).toBe(false);
    expect(await check('docs.write', orgId)).toBe(false);
  });

  it('R2 an unknown preset is refused, naming the built-in and loaded keys', async () => {
    const gh = createGatehouse({ url: server.url, apiKey: adminKey });
    await expect(gh.api.orgs.create.mutate({ name: 'Nope', preset: 'docs' })).rejects.toThrow(
      'unknown preset "docs"; known: idnow, flowcode, idv-console, idwise, identity-platform, docs-app',
    );
  });
});

describe('issue 12 R1: a preset file is stored, versioned, and evolves across restarts', () => {
  it('R1 stores the file as version 1, a changed file as the next version, refuses a removal in use and takes a rename', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-preset-restarts-'));
    const path = file('evolving.json', docsAppDocument);
    const start = () => startServer({ ...config, dataDir, presetFiles: [path] });
    try {
      let server = await start();
      let gh = createGatehouse({ url: server.url, apiKey: adminKey });
      const { result: org } = await gh.api.orgs.create.mutate({
        name: 'Evolving',
        preset: 'docs-app',
        owner: { email: 'owner@evolving.test' },
      });
      expect(org.presetVersion).toBe(1);
      const { result: project } = await gh.api.scopes.create.mutate({
        orgId: org.id,
        kind: 'project',
        name: 'Guides',
      });
      const { result: writer } = await gh.api.members.add.mutate({
        orgId: org.id,
        email: 'writer@evolving.test',
        roles: [{ role: 'writer', scopeId: project.id }],
      });
      await server.close();

      // Unchanged file: still version 1. Changed: version 2 (added a role).
      server = await start();
      await server.close();
      const { writer: writerRole, ...others } = docsAppDocument.roles;
      file('evolving.json', {
        ...docsAppDocument,
        roles: { ...docsAppDocument.roles, guest: { name: 'Guest', permissions: ['docs.read'] } },
      });
      server = await start();
      gh = createGatehouse({ url: server.url, apiKey: adminKey });
      const shown = await gh.api.presets.show.query({ key: 'docs-app' });
      expect(shown.versions.map((v) => [v.version, v.source])).toEqual([
        [1, 'file'],
        [2, 'file'],
      ]);
      expect((await gh.api.orgs.get.query({ orgId: org.id })).presetVersion).toBe(2);
      await server.close();

      // Removing a role in use stops the start, naming the org and the assignment.
      const removed = {
        ...docsAppDocument,
        roles: others,
        defaultRoles: { organization: 'reader' },
      };
      file('evolving.json', removed);
      const refused = start();
      await expect(refused).rejects.toThrow(PresetFilesError);
      await expect(refused).rejects.toThrow(/evolving \(org_\w+\): assignment \w+ .*"writer"/);

      // Renamed instead: the assignment moves, the check follows.
      file('evolving.json', {
        ...removed,
        roles: { ...others, author: writerRole },
        renamed: { roles: { writer: 'author' } },
      });
      server = await start();
      gh = createGatehouse({ url: server.url, apiKey: adminKey });
      expect((await gh.api.orgs.get.query({ orgId: org.id })).presetVersion).toBe(3);
      const { result } = await gh.api.authz.explain.query({
        orgId: org.id,
        subject: writer.userId,
        permission: 'docs.write',
        scope: project.id,
      });
      expect(result.allowed).toBe(true);
      expect(JSON.stringify(result)).toContain('author');
      await server.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('issue 12: a bad preset file stops the start', () => {
  it('R1 names the file and every problem at its path, before opening the database', async () => {
    const bad = file('bad.json', {
      ...docsAppDocument,
      roles: { ...docsAppDocument.roles, editor: { name: 'Editor', permissions: ['docs.wirte'] } },
      ownerRole: 'admin',
    });
    const started = startServer({ ...config, presetFiles: [bad] });
    await expect(started).rejects.toThrow(PresetFilesError);
    await expect(started).rejects.toThrow(
      `GATEHOUSE_PRESETS: 1 preset file problem:\n${bad}: preset "docs-app" is invalid (2 problems):\n` +
        '  roles.editor.permissions[0]: unknown permission "docs.wirte"\n' +
        '  ownerRole: unknown role "admin"',
    );
  });

  it('R1 reports every file: missing, not JSON, a clash with a built-in or another file, no match', () => {
    mkdirSync(join(dir, 'mixed'));
    file('mixed/a.json', docsAppDocument);
    file('mixed/b.json', docsAppDocument);
    file('mixed/c.json', '{ "key": ');
    file('mixed/d.json', presetDocument(presets.idnow!));
    const patterns = [join(dir, 'mixed', '*.json'), join(dir, 'missing.json'), 'nowhere/*.json'];
    let error: unknown;
    try {
      presetRegistryFromFiles(patterns, dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PresetFilesError);
    const at = (name: string) => join(dir, 'mixed', name);
    expect((error as Error).message.split('\n')).toEqual([
      'GATEHOUSE_PRESETS: 5 preset file problems:',
      'nowhere/*.json: matches no file',
      `${at('b.json')}: preset key "docs-app" is taken by ${at('a.json')}`,
      expect.stringMatching(new RegExp(`^${at('c.json')}: not JSON: `)),
      `${at('d.json')}: preset key "idnow" is taken by a built-in preset`,
      `${join(dir, 'missing.json')}: no such file`,
    ]);
  });

  it('R1 relative paths are read from the working folder; only file names take wildcards', () => {
    file('docs-app.json', docsAppDocument);
    expect(presetRegistryFromFiles(['./docs-app.json'], dir).get('docs-app')?.name).toBe(
      'Docs app',
    );
    expect(() => presetRegistryFromFiles(['./*/docs-app.json'], dir)).toThrow(
      './*/docs-app.json: only the file name may hold wildcards (* and ?)',
    );
    expect(presetRegistryFromFiles([], dir).keys).toEqual(Object.keys(presets));
  });
});

/**
 * Issue 12: a preset is a validated JSON document. The five built-ins survive the trip to a
 * document and back unchanged; a bad document is refused with every problem at its path.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import { type Preset, snapshotFor } from './preset.js';
import { PresetError } from './preset-error.js';
import { parsePresetDocument, presetDocument } from './preset-json.js';
import { presets } from './presets/index.js';
import { docsAppDocument } from './reference/index.js';

/** The README's example. */
const docsApp = docsAppDocument;

/** The problems `parsePresetDocument` reports for `json`, as `path: message` lines. */
function problems(json: unknown): string[] {
  try {
    parsePresetDocument(json);
  } catch (e) {
    if (!(e instanceof PresetError)) throw e;
    expect(e.message.split('\n').slice(1)).toEqual(
      e.issues.map((i) => `  ${i.path || '(document)'}: ${i.message}`),
    );
    return e.issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

/** `docsApp` with some fields replaced. */
const withDoc = (change: Record<string, unknown>) => ({ ...docsApp, ...change });

describe('R2 issue 12: the built-in presets as documents', () => {
  it.each(Object.values(presets).map((p) => [p.key, p] as const))(
    'R2 %s: parsePresetDocument(presetDocument(p)) equals p, also through JSON text',
    (_key, preset: Preset) => {
      const doc = presetDocument(preset);
      expect(parsePresetDocument(doc)).toEqual(preset);
      const text = JSON.stringify(doc);
      expect(parsePresetDocument(JSON.parse(text))).toEqual(preset);
      expect(presetDocument(parsePresetDocument(JSON.parse(text)))).toEqual(doc);
    },
  );

  it('R7 the document keeps sensitive flags and module descriptions', () => {
    const doc = presetDocument(presets.idwise!);
    expect(doc.catalog.verifications).toEqual({
      actions: ['perform', 'view', 'viewOriginalSelfie', 'delete', 'export'],
      sensitive: ['viewOriginalSelfie', 'delete'],
      description: 'Identity verifications',
    });
    expect(Object.keys(doc.catalog)).not.toContain('members');
  });
});

describe('R1 R2 issue 12: parsePresetDocument', () => {
  it('R1 R2 reads a hand-written document into a preset the engine runs on', () => {
    const preset = parsePresetDocument(docsApp);
    expect(preset).toMatchObject({
      key: 'docs-app',
      description: '',
      rootKind: 'organization',
      scopeKinds: [
        { key: 'organization', name: 'Organization', parents: [] },
        { key: 'project', name: 'Project', parents: ['organization'] },
      ],
      defaultRoles: { organization: 'reader', project: 'writer' },
      environments: false,
      invariants: [{ roleKey: 'owner', at: 'root', min: 1 }],
      everyUserOwnsAnOrg: false,
    });
    expect(preset.roles.find((r) => r.key === 'writer')).toEqual({
      key: 'writer',
      name: 'Writer',
      permissions: ['docs.read', 'docs.write'],
      slot: 'primary',
      scopeKinds: ['project'],
      builtIn: true,
    });
    expect(preset.catalog.permissions.find((p) => p.name === 'docs.delete')?.sensitive).toBe(true);
    const engine = createEngine(
      snapshotFor(preset, {
        orgId: 'org_1',
        scopes: [
          { id: 'org_1', parentId: null, kind: 'organization', name: 'Acme' },
          { id: 'prj_1', parentId: 'org_1', kind: 'project', name: 'Handbook' },
        ],
        subjects: [{ id: 'usr_1', type: 'user', active: true }],
        assignments: [
          { id: 'a1', subjectId: 'usr_1', roleKey: 'writer', scopeId: 'prj_1', environment: null },
        ],
      }),
    );
    expect(
      engine.check({ subject: 'usr_1', permission: 'docs.write', scope: 'prj_1' }).allowed,
    ).toBe(true);
    expect(
      engine.check({ subject: 'usr_1', permission: 'docs.write', scope: 'org_1' }).allowed,
    ).toBe(false);
  });

  it('R1 names the path of an unknown permission, as the issue asks', () => {
    const roles = {
      ...docsApp.roles,
      editor: { name: 'Editor', permissions: ['docs.read', 'docs.*', '*', 'docs.wirte'] },
    };
    expect(problems(withDoc({ roles }))).toEqual([
      'roles.editor.permissions[3]: unknown permission "docs.wirte"',
    ]);
  });

  it('R1 lists every structural problem at once: types, required and unknown fields, names', () => {
    expect(
      problems({
        key: 'Docs',
        name: '',
        catalog: { docs: ['read'], 'bad-module': ['read'], extra: 3 },
        rootKind: 'organization',
        scopeKinds: { organization: { name: 'Organization', parents: 'none' } },
        roles: { owner: { name: 'Owner', permisions: ['*'], slot: 7 } },
        ownerRole: 'owner',
        invariants: [{ roleKey: 'owner', at: 'leaf', min: 0 }],
        colour: 'blue',
      }),
    ).toEqual([
      'key: invalid preset key "Docs" (a lower-case letter, then lower-case letters, digits, _ or -)',
      'name: must not be empty',
      'catalog["bad-module"]: invalid module name "bad-module" (a letter, then letters and digits)',
      'catalog.extra: expected a list of actions or { "actions": [...], "sensitive"?, "description"? }',
      'scopeKinds.organization.parents: expected array, got string "none"',
      'roles.owner.permissions: required',
      'roles.owner.slot: expected string, got number',
      'roles.owner.permisions: unknown field',
      'invariants[0].at: must be "root"',
      'invariants[0].min: must be at least 1',
      'colour: unknown field',
    ]);
    expect(problems(null)).toEqual([': expected object, got null']);
    expect(problems([])).toEqual([': expected object, got array']);
  });

  it('R1 R3 lists every reference problem at once, each at its path', () => {
    expect(
      problems(
        withDoc({
          catalog: { docs: { actions: ['read', 'read'], sensitive: ['purge'] } },
          rootKind: 'organization',
          scopeKinds: {
            organization: { name: 'Organization' },
            project: { name: 'Project', parents: ['organisation'] },
            folder: { name: 'Folder', parents: ['page'] },
            page: { name: 'Page', parents: ['folder'] },
            team: { name: 'Team' },
          },
          roles: {
            owner: { name: 'Owner', permissions: ['*'], scopeKinds: ['project'] },
            writer: {
              name: 'Writer',
              permissions: ['wiki.*', 'members.invites'],
              scopeKinds: ['proj'],
            },
          },
          defaultRoles: { organization: 'writer', proj: null, project: 'reader' },
          invariants: [{ roleKey: 'admin' }],
        }),
      ),
    ).toEqual([
      'catalog.docs.actions[1]: permission "docs.read" is declared twice',
      'catalog.docs.sensitive[0]: sensitive action "docs.purge" is not declared in actions',
      'scopeKinds.project.parents[0]: unknown scope kind "organisation"',
      'scopeKinds.team.parents: required: only the root kind ("organization") has no parents',
      'scopeKinds.page.parents[0]: nesting cycle folder → page → folder: only a kind nesting in itself may repeat',
      'roles.writer.permissions[0]: unknown module "wiki" in "wiki.*"',
      'roles.writer.permissions[1]: unknown permission "members.invites"',
      'roles.writer.scopeKinds[0]: unknown scope kind "proj"',
      'defaultRoles.organization: role "writer" may not be held at organization (only at proj)',
      'defaultRoles.proj: unknown scope kind "proj"',
      'defaultRoles.project: unknown role "reader"',
      'ownerRole: role "owner" may not be held at organization (only at project)',
      'invariants[0].roleKey: unknown role "admin"',
    ]);
  });

  it('T2 a kind may nest in itself; one that only nests in itself can never be created', () => {
    const nested = {
      organization: { name: 'Organization' },
      project: { name: 'Project', parents: ['organization', 'sub'] },
      sub: { name: 'Sub-organization', parents: ['organization', 'sub'] },
    };
    expect(problems(withDoc({ scopeKinds: nested, defaultRoles: {} }))).toEqual([]);
    const island = { ...nested, island: { name: 'Island', parents: ['island'] } };
    expect(problems(withDoc({ scopeKinds: island, defaultRoles: {} }))).toEqual([
      'scopeKinds.island.parents: scope kind "island" can never be created: no chain of parents leads to the root kind "organization"',
    ]);
  });

  it('T2 the root kind must exist and have no parents', () => {
    expect(problems(withDoc({ rootKind: 'org' }))).toEqual(['rootKind: unknown scope kind "org"']);
    const rootWithParent = {
      organization: { name: 'Organization', parents: ['project'] },
      project: { name: 'Project', parents: ['organization'] },
    };
    expect(problems(withDoc({ scopeKinds: rootWithParent }))).toEqual([
      'scopeKinds.organization.parents: the root kind has no parents',
      'scopeKinds.project.parents[0]: nesting cycle organization → project → organization: only a kind nesting in itself may repeat',
    ]);
  });

  it('R5 a role scopeKinds list must name a kind, a slot must be a string', () => {
    const roles = {
      ...docsApp.roles,
      nowhere: { name: 'Nowhere', permissions: [], scopeKinds: [] },
      odd: { name: 'Odd', permissions: [], slot: ['primary'] },
    };
    expect(problems(withDoc({ roles }))).toEqual([
      'roles.nowhere.scopeKinds: names no scope kind; leave it out to allow every kind',
      'roles.odd.slot: expected string, got array',
    ]);
  });

  it('T3 inheritance defaults to additive, names slots roles use, and survives the trip back', () => {
    expect(parsePresetDocument(docsApp).inheritance).toEqual({});
    expect(presetDocument(parsePresetDocument(docsApp))).not.toHaveProperty('inheritance');
    const overriding = withDoc({ inheritance: { primary: 'override' } });
    const preset = parsePresetDocument(overriding);
    expect(preset.inheritance).toEqual({ primary: 'override' });
    expect(presetDocument(preset).inheritance).toEqual({ primary: 'override' });
    expect(parsePresetDocument(presetDocument(preset))).toEqual(preset);
    expect(
      problems(withDoc({ inheritance: { 'modul:flows': 'override', primary: 'nearest' } })),
    ).toEqual(['inheritance.primary: must be "additive" or "override"']);
    expect(problems(withDoc({ inheritance: { 'modul:flows': 'override' } }))).toEqual([
      'inheritance["modul:flows"]: no role uses slot "modul:flows"',
    ]);
  });

  it('T3 an override slot reaches the snapshot; an additive one leaves it as it was', () => {
    const state = {
      orgId: 'org_1',
      scopes: [{ id: 'org_1', parentId: null, kind: 'organization', name: 'Org' }],
      subjects: [],
      assignments: [],
    };
    const additive = parsePresetDocument(withDoc({ inheritance: { primary: 'additive' } }));
    expect(snapshotFor(additive, state)).not.toHaveProperty('inheritance');
    const override = parsePresetDocument(withDoc({ inheritance: { primary: 'override' } }));
    expect(snapshotFor(override, state).inheritance).toEqual({ primary: 'override' });
  });
});

describe('R1 issue 12: the README section "Your own model" runs as written', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Your own model'));
  const blocks = [...section.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => m[2]!);

  it('R1 its document is docsAppDocument and parses', () => {
    const { $schema, ...doc } = JSON.parse(blocks[0]!);
    expect($schema).toBe('./node_modules/@gatehouse/core/preset.schema.json');
    expect(doc).toEqual(docsAppDocument);
    expect(parsePresetDocument({ $schema, ...doc }).key).toBe('docs-app');
  });

  it('R1 its error is what parsePresetDocument says about that mistake', () => {
    const writer = { ...docsApp.roles.writer!, permissions: ['docs.read', 'docs.wirte'] };
    const bad = withDoc({ roles: { ...docsApp.roles, writer }, ownerRole: 'writer' });
    expect(() => parsePresetDocument(bad)).toThrow(blocks[1]!.trimEnd());
  });
});

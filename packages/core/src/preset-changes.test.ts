/**
 * Issue 12 R1: what a new version of a preset changes (`preset diff`), renames checked against
 * both versions with a path for each problem, and whether an org's state still fits a version.
 */
import { describe, expect, it } from 'vitest';
import { modelIssues } from './model-issues.js';
import { snapshotFor } from './preset.js';
import { noPresetChanges, presetChanges } from './preset-changes.js';
import type { PresetDocument } from './preset-document.js';
import { PresetError } from './preset-error.js';
import { parsePresetDocument } from './preset-json.js';
import { docsAppDocument } from './reference/example-preset.js';

const v1 = parsePresetDocument(docsAppDocument);
const doc = (changes: Partial<PresetDocument>) =>
  parsePresetDocument({ ...docsAppDocument, ...changes });
const { writer, ...others } = docsAppDocument.roles;

describe('presetChanges', () => {
  it('R1 a new key adds everything; the same version changes nothing', () => {
    const c = presetChanges(null, v1);
    expect(c.roles.added).toEqual(['owner', 'reader', 'writer']);
    expect(c.permissions.added).toContain('docs.delete');
    expect(noPresetChanges(presetChanges(v1, v1))).toBe(true);
  });

  it('R1 names what is added, removed, renamed and changed', () => {
    const v2 = doc({
      catalog: { docs: { actions: ['read', 'edit', 'delete', 'share'], sensitive: ['delete'] } },
      roles: {
        ...others,
        reader: { name: 'Reader', permissions: ['docs.read', 'docs.share'], slot: 'primary' },
        author: { ...writer!, permissions: ['docs.read', 'docs.edit'] },
      },
      defaultRoles: { organization: 'reader', project: 'author' },
    });
    const c = presetChanges(v1, v2, {
      roles: { writer: 'author' },
      permissions: { 'docs.write': 'docs.edit' },
    });
    expect(c.permissions).toEqual({
      added: ['docs.share'],
      removed: [],
      renamed: { 'docs.write': 'docs.edit' },
    });
    expect(c.roles).toEqual({
      added: [],
      removed: [],
      renamed: { writer: 'author' },
      changed: ['reader'],
    });
    expect(c.fields).toEqual([]);
    const dropped = presetChanges(
      v1,
      doc({ roles: others, defaultRoles: { organization: 'reader' } }),
    );
    expect(dropped.roles.removed).toEqual(['writer']);
    expect(dropped.fields).toEqual(['defaultRoles']);
  });

  it('R1 a bad rename is a PresetError with the path of each problem', () => {
    const v2 = doc({ roles: { ...others, author: writer! }, defaultRoles: {} });
    let error: unknown;
    try {
      presetChanges(v1, v2, { roles: { editor: 'author', reader: 'author', writer: 'owner' } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PresetError);
    expect((error as PresetError).issues).toEqual([
      { path: 'renamed.roles.editor', message: 'the current version has no role "editor"' },
      {
        path: 'renamed.roles.reader',
        message: '"reader" is still a role of this version; a renamed role must be gone',
      },
      {
        path: 'renamed.roles.writer',
        message: '"owner" is already a role of the current version; a rename may not merge two',
      },
    ]);
  });
});

describe('modelIssues', () => {
  it('R1 an org that fits has none; each kind of misfit is named', () => {
    const state = {
      orgId: 'org_1',
      scopes: [
        { id: 'org_1', parentId: null, kind: 'organization', name: 'Org' },
        { id: 'scp_p', parentId: 'org_1', kind: 'project', name: 'P' },
      ],
      subjects: [{ id: 'usr_a', type: 'user' as const, active: true }],
      assignments: [
        { id: 'asg_1', subjectId: 'usr_a', roleKey: 'writer', scopeId: 'scp_p', environment: null },
        { id: 'asg_2', subjectId: 'usr_a', roleKey: 'owner', scopeId: 'org_1', environment: null },
      ],
      customRoles: [
        {
          key: 'proof',
          name: 'Proof',
          permissions: ['docs.write'],
          slot: null,
          scopeKinds: ['project'],
          builtIn: false,
        },
      ],
    };
    expect(modelIssues(v1, snapshotFor(v1, state))).toEqual([]);
    const v2 = doc({
      catalog: { docs: ['read'] },
      scopeKinds: { organization: { name: 'Organization' } },
      roles: { owner: others.owner!, reader: others.reader! },
      defaultRoles: {},
    });
    expect(modelIssues(v2, snapshotFor(v2, state)).map((i) => [i.kind, i.id])).toEqual([
      ['scope', 'scp_p'],
      ['customRole', 'proof'],
      ['customRole', 'proof'],
      ['assignment', 'asg_1'],
    ]);
  });
});

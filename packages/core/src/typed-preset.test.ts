/**
 * Issue 12, typed names: a preset declared with `definePreset` or as a document literal with
 * `definePresetDocument` carries its permissions, role keys and scope kinds as types. Type tests
 * (`expectTypeOf`, `@ts-expect-error`) are checked by `tsc -p tsconfig.check.json`, which includes
 * test files: an unmet `@ts-expect-error` fails `pnpm typecheck`.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AdminPermission, PermissionOf } from './permission.js';
import type { Preset } from './preset.js';
import { PresetError } from './preset-error.js';
import { parsePresetDocument, presetDocument } from './preset-json.js';
import type { flowcodePreset } from './presets/flowcode.js';
import { docsAppDocument } from './reference/example-preset.js';
import { miniPreset } from './testing/mini-preset.js';
import {
  definePresetDocument,
  type RoleOf,
  type ScopeKindOf,
  type TypedPreset,
} from './typed-preset.js';

/** Takes only the permission names of preset T, as the SDK's `can` does. */
const can = <T>(permission: PermissionOf<T>): boolean => permission.includes('.');

describe('issue 12: definePreset carries typed names', () => {
  type Mini = typeof miniPreset;

  it('permissions, role keys and scope kinds of a preset declared in code', () => {
    expectTypeOf<PermissionOf<Mini>>().toEqualTypeOf<
      'flows.read' | 'flows.write' | AdminPermission
    >();
    expectTypeOf<RoleOf<Mini>>().toEqualTypeOf<'owner' | 'reader' | 'writer'>();
    expectTypeOf<ScopeKindOf<Mini>>().toEqualTypeOf<'org' | 'ws'>();
    expectTypeOf<Mini>().toExtend<Preset>();
    expectTypeOf<RoleOf<typeof flowcodePreset>>().toExtend<string>();
    expectTypeOf<'workspace_editor'>().toExtend<RoleOf<typeof flowcodePreset>>();
    expectTypeOf<ScopeKindOf<typeof flowcodePreset>>().toEqualTypeOf<
      'organization' | 'workspace'
    >();
  });

  it('a typo in a permission name is a compile error; the right name compiles', () => {
    expect(can<Mini>('flows.write')).toBe(true);
    // @ts-expect-error 'flows.wirte' is not a permission of the mini preset
    expectTypeOf(can<Mini>).toBeCallableWith('flows.wirte');
    expectTypeOf(can<Mini>).toBeCallableWith('members.invite');
    expectTypeOf<'flows.wirte'>().not.toExtend<PermissionOf<Mini>>();
  });

  it('a preset whose names are not known when compiling takes any string', () => {
    const parsed: Preset = parsePresetDocument(presetDocument(miniPreset));
    expectTypeOf<PermissionOf<typeof parsed>>().toEqualTypeOf<string>();
    expectTypeOf<RoleOf<typeof parsed>>().toEqualTypeOf<string>();
    expectTypeOf<ScopeKindOf<typeof parsed>>().toEqualTypeOf<string>();
    expectTypeOf<TypedPreset>().toEqualTypeOf<TypedPreset<string, string, string>>();
  });

  it('the typed preset is the same object at run time (phantom types)', () => {
    expect(parsePresetDocument(presetDocument(miniPreset))).toEqual(miniPreset);
    expect(Object.keys(miniPreset)).not.toContain('__roles');
  });
});

describe('issue 12: definePresetDocument, a document literal with typed names', () => {
  const docsApp = definePresetDocument({
    key: 'docs-app',
    name: 'Docs app',
    catalog: { docs: { actions: ['read', 'write', 'delete'], sensitive: ['delete'] } },
    rootKind: 'organization',
    scopeKinds: {
      organization: { name: 'Organization' },
      project: { name: 'Project', parents: ['organization'] },
    },
    roles: {
      owner: { name: 'Owner', permissions: ['*'], slot: 'primary' },
      reader: { name: 'Reader', permissions: ['docs.read'], slot: 'primary' },
      writer: {
        name: 'Writer',
        permissions: ['docs.read', 'docs.write', 'members.read'],
        slot: 'primary',
        scopeKinds: ['project'],
      },
    },
    defaultRoles: { organization: 'reader', project: 'writer' },
    ownerRole: 'owner',
    invariants: [{ roleKey: 'owner', min: 1 }],
  });
  type Docs = typeof docsApp;

  it('produces the same preset as parsePresetDocument', () => {
    expect(docsApp).toEqual(
      parsePresetDocument({
        ...docsAppDocument,
        roles: {
          ...docsAppDocument.roles,
          writer: {
            ...docsAppDocument.roles.writer,
            permissions: ['docs.read', 'docs.write', 'members.read'],
          },
        },
      }),
    );
  });

  it('catalog modules × actions plus the admin permissions; role keys; scope kinds', () => {
    expectTypeOf<PermissionOf<Docs>>().toEqualTypeOf<
      'docs.read' | 'docs.write' | 'docs.delete' | AdminPermission
    >();
    expectTypeOf<RoleOf<Docs>>().toEqualTypeOf<'owner' | 'reader' | 'writer'>();
    expectTypeOf<ScopeKindOf<Docs>>().toEqualTypeOf<'organization' | 'project'>();
    // @ts-expect-error 'docs.wirte' is not a permission of docs-app
    expectTypeOf(can<Docs>).toBeCallableWith('docs.wirte');
    expectTypeOf(can<Docs>).toBeCallableWith('docs.write');
  });

  it('accepts the same literal written `as const`', () => {
    const doc = {
      key: 'tiny',
      name: 'Tiny',
      catalog: { notes: ['read'] },
      rootKind: 'org',
      scopeKinds: { org: { name: 'Org' } },
      roles: { owner: { name: 'Owner', permissions: ['notes.*', 'members.*'] } },
      ownerRole: 'owner',
    } as const;
    const tiny = definePresetDocument(doc);
    expectTypeOf<PermissionOf<typeof tiny>>().toEqualTypeOf<'notes.read' | AdminPermission>();
    expectTypeOf<RoleOf<typeof tiny>>().toEqualTypeOf<'owner'>();
  });

  it('a typo in a name the document uses fails to compile (and to run)', () => {
    const base = {
      key: 'tiny',
      name: 'Tiny',
      catalog: { notes: ['read', 'write'] },
      rootKind: 'org',
      scopeKinds: { org: { name: 'Org' } },
      ownerRole: 'owner',
    } as const;
    expect(() =>
      definePresetDocument({
        ...base,
        // @ts-expect-error 'notes.wirte' is not in the catalog
        roles: { owner: { name: 'Owner', permissions: ['notes.read', 'notes.wirte'] } },
      }),
    ).toThrow('roles.owner.permissions[1]: unknown permission "notes.wirte"');
    expect(() =>
      definePresetDocument({
        ...base,
        roles: { owner: { name: 'Owner', permissions: ['*'] } },
        // @ts-expect-error 'owmer' is not a role of the document
        invariants: [{ roleKey: 'owmer', min: 1 }],
      }),
    ).toThrow('invariants[0].roleKey: unknown role "owmer"');
    expect(() =>
      definePresetDocument({
        ...base,
        scopeKinds: { org: { name: 'Org' }, team: { name: 'Team', parents: ['org'] } },
        // @ts-expect-error 'taem' is not a scope kind of the document
        roles: { owner: { name: 'Owner', permissions: ['*'], scopeKinds: ['org', 'taem'] } },
      }),
    ).toThrow(PresetError);
    // Single names are checked when it runs (see CheckedDocument).
    expect(() =>
      definePresetDocument({
        ...base,
        roles: { owner: { name: 'Owner', permissions: ['*'] } },
        ownerRole: 'owmer',
      }),
    ).toThrow('ownerRole: unknown role "owmer"');
  });
});

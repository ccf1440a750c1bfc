/**
 * R1 / R7: the permission catalog. Type tests prove that role declarations only compile with
 * permissions the catalog knows (checked by `tsc -p tsconfig.check.json`, which includes test
 * files); runtime tests cover what `defineCatalog` refuses.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type AdminPermission,
  adminModules,
  type Catalog,
  defineCatalog,
  expandPatterns,
  type PermissionOf,
  type PermissionPattern,
} from './permission.js';
import { definePreset, type RoleDecl } from './preset.js';
import { PresetError } from './preset-error.js';
import { parsePresetDocument, presetDocument } from './preset-json.js';

const catalog = defineCatalog({
  flows: ['read', 'write'],
  verifications: {
    actions: ['view', 'delete', 'viewOriginalSelfie'],
    sensitive: ['delete', 'viewOriginalSelfie'],
    description: 'Identity verifications',
  },
});
type P = PermissionOf<typeof catalog>;

/** Everything a preset needs except its roles. */
const base = {
  key: 'typed',
  name: 'Typed',
  description: 'type tests',
  catalog,
  rootKind: 'org',
  scopeKinds: [{ key: 'org', name: 'Org', parents: [] }],
  defaultRoles: { org: null },
  ownerRole: 'owner',
  environments: false,
  invariants: [],
  everyUserOwnsAnOrg: false,
} as const;
const owner = { key: 'owner', name: 'Owner', permissions: ['*'] } as const;

describe('R1 defineCatalog typing', () => {
  it('R1 PermissionOf is the product permissions plus the admin ones', () => {
    expectTypeOf<P>().toEqualTypeOf<
      | 'flows.read'
      | 'flows.write'
      | 'verifications.view'
      | 'verifications.delete'
      | 'verifications.viewOriginalSelfie'
      | AdminPermission
    >();
    expectTypeOf<'members.invite'>().toExtend<P>();
    expectTypeOf<'roles.assign'>().toExtend<P>();
    expectTypeOf<'org.update'>().toExtend<P>();
    expectTypeOf<'flows.read'>().toExtend<P>();
    expectTypeOf<'flows.delete'>().not.toExtend<P>();
    expectTypeOf<'members.fly'>().not.toExtend<P>();
    expectTypeOf(catalog).toEqualTypeOf<Catalog<P>>();
  });

  it('R1 AdminPermission covers Gatehouse administrative permissions', () => {
    expectTypeOf<'members.invite' | 'scim.manage' | 'audit.read'>().toExtend<AdminPermission>();
    expectTypeOf<'scim.read'>().not.toExtend<AdminPermission>();
  });

  it('R1 PermissionPattern accepts exact names, module.* and *', () => {
    expectTypeOf<'flows.read'>().toExtend<PermissionPattern<P>>();
    expectTypeOf<'flows.*'>().toExtend<PermissionPattern<P>>();
    expectTypeOf<'members.*'>().toExtend<PermissionPattern<P>>();
    expectTypeOf<'*'>().toExtend<PermissionPattern<P>>();
    expectTypeOf<'nope.*'>().not.toExtend<PermissionPattern<P>>();
    expectTypeOf<'flows.nope'>().not.toExtend<PermissionPattern<P>>();
    expectTypeOf<'flows'>().not.toExtend<PermissionPattern<P>>();
  });

  it('R1 a role declaration compiles with known permissions, module.* and *', () => {
    const preset = definePreset({
      ...base,
      roles: [
        owner,
        { key: 'reader', name: 'Reader', permissions: ['flows.read', 'verifications.view'] },
        { key: 'writer', name: 'Writer', permissions: ['flows.*', 'members.invite', 'roles.*'] },
      ],
    });
    expect(preset.roles.map((r) => r.key)).toEqual(['owner', 'reader', 'writer']);
    const decl: RoleDecl<P> = { key: 'x', name: 'X', permissions: ['verifications.*', '*'] };
    expect(decl.permissions).toHaveLength(2);
  });

  it('R1 an unknown permission in a definePreset role fails to compile (and to run)', () => {
    expect(() =>
      definePreset({
        ...base,
        roles: [
          owner,
          {
            key: 'bad',
            name: 'Bad',
            // @ts-expect-error 'flows.delete' is not in the catalog
            permissions: ['flows.read', 'flows.delete'],
          },
        ],
      }),
    ).toThrow(PresetError);
  });

  it('R1 an unknown module pattern in a definePreset role fails to compile (and to run)', () => {
    expect(() =>
      definePreset({
        ...base,
        // @ts-expect-error 'sessions.*' names a module the catalog lacks
        roles: [owner, { key: 'bad', name: 'Bad', permissions: ['sessions.*'] }],
      }),
    ).toThrow('roles.bad.permissions[0]: unknown module "sessions" in "sessions.*"');
  });

  it('R1 a typo in an admin permission fails to compile', () => {
    // @ts-expect-error 'members.invites' is not an admin permission
    const bad: RoleDecl<P> = { key: 'bad', name: 'Bad', permissions: ['members.invites'] };
    expect(expandPatterns(catalog.permissions, bad.permissions).unknown).toEqual([
      'members.invites',
    ]);
  });

  it('R1 roles do not widen the catalog (NoInfer)', () => {
    const small = defineCatalog({ flows: ['read'] });
    expect(() =>
      definePreset({
        ...base,
        catalog: small,
        roles: [
          owner,
          // @ts-expect-error 'flows.write' is in another catalog, not this one
          { key: 'w', name: 'W', permissions: ['flows.write'] },
        ],
      }),
    ).toThrow(PresetError);
  });
});

describe('R2 issue 12: definePreset validates as a preset document is validated', () => {
  it('R2 a preset declared in code equals the one its document declares', () => {
    const preset = definePreset({ ...base, roles: [owner] });
    expect(parsePresetDocument(presetDocument(preset))).toEqual(preset);
  });

  it('R2 refuses a role declared twice and reports problems at document paths', () => {
    expect(() =>
      definePreset({
        ...base,
        roles: [owner, { key: 'owner', name: 'Owner again', permissions: ['flows.read'] }],
      }),
    ).toThrow('roles[1].key: role "owner" is declared twice');
    expect(() => definePreset({ ...base, ownerRole: 'admin', roles: [owner] })).toThrow(
      /preset "typed" is invalid \(1 problem\):\n {2}ownerRole: unknown role "admin"/,
    );
  });
});

describe('R1 defineCatalog at run time', () => {
  it('R1 lists the admin permissions first, then the product ones, with their flags', () => {
    const names = catalog.permissions.map((p) => p.name);
    const adminCount = Object.values(adminModules).reduce((n, m) => n + m.actions.length, 0);
    expect(names.slice(adminCount)).toEqual([
      'flows.read',
      'flows.write',
      'verifications.view',
      'verifications.delete',
      'verifications.viewOriginalSelfie',
    ]);
    expect(catalog.permissions.slice(0, adminCount).every((p) => p.admin)).toBe(true);
    expect(catalog.permissions.slice(adminCount).some((p) => p.admin)).toBe(false);
    expect(names).toContain('members.invite');
    expect(catalog.permissions.find((p) => p.name === 'flows.write')).toEqual({
      name: 'flows.write',
      module: 'flows',
      action: 'write',
      sensitive: false,
      admin: false,
    });
    expect(catalog.__permissions).toBeUndefined();
  });

  it('R7 marks declared sensitive actions, and only those', () => {
    expect(catalog.permissions.filter((p) => p.sensitive).map((p) => p.name)).toEqual([
      'verifications.delete',
      'verifications.viewOriginalSelfie',
    ]);
  });

  it('R7 refuses a sensitive action that is not declared', () => {
    expect(() =>
      defineCatalog({ verifications: { actions: ['view'], sensitive: ['delete'] } }),
    ).toThrow(
      'catalog.verifications.sensitive[0]: sensitive action "verifications.delete" is not declared',
    );
  });

  it.each([
    ['an action twice in one module', { flows: ['read', 'read'] }, 'flows[1]', 'flows.read'],
    ['an admin permission redeclared', { members: ['invite'] }, 'members[0]', 'members.invite'],
    [
      'an admin module extended with a clash',
      { org: { actions: ['read', 'x'] } },
      'org.actions[0]',
      'org.read',
    ],
  ])('R1 refuses duplicate permissions: %s', (_what, modules, path, name) => {
    expect(() => defineCatalog(modules)).toThrow(
      `catalog.${path}: permission "${name}" is declared twice`,
    );
  });

  it.each([
    ['module with a capital', { Flows: ['read'] }, 'catalog.Flows: invalid module name "Flows"'],
    [
      'module with a dash',
      { 'flow-s': ['read'] },
      'catalog["flow-s"]: invalid module name "flow-s"',
    ],
    ['module with a dot', { 'a.b': ['read'] }, 'catalog["a.b"]: invalid module name "a.b"'],
    ['empty module', { '': ['read'] }, 'catalog[""]: invalid module name ""'],
    [
      'module starting with a digit',
      { '1flows': ['read'] },
      'catalog["1flows"]: invalid module name "1flows"',
    ],
    ['action with a capital', { flows: ['Read'] }, 'catalog.flows[0]: invalid action name "Read"'],
    ['action with a dot', { flows: ['re.ad'] }, 'catalog.flows[0]: invalid action name "re.ad"'],
    ['action *', { flows: ['*'] }, 'catalog.flows[0]: invalid action name "*"'],
    ['empty action', { flows: [''] }, 'catalog.flows[0]: invalid action name ""'],
    [
      'action in the object form',
      { flows: { actions: ['ok', 'not ok'] } },
      'catalog.flows.actions[1]: invalid action name "not ok"',
    ],
  ])('R1 refuses bad names, naming the path: %s', (_what, modules, message) => {
    expect(() => defineCatalog(modules)).toThrow(message);
  });

  it('R1 expandPatterns reports unknown names and modules instead of dropping them', () => {
    const { names, unknown } = expandPatterns(catalog.permissions, [
      'flows.*',
      'verifications.view',
      'nope.*',
      'flows.nope',
    ]);
    expect(names).toEqual(['flows.read', 'flows.write', 'verifications.view']);
    expect(unknown).toEqual(['nope.*', 'flows.nope']);
    expect(expandPatterns(catalog.permissions, ['*']).names).toHaveLength(
      catalog.permissions.length,
    );
  });
});

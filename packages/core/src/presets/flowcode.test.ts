/**
 * Seed 001 (Flowcode 2): Organization Admin / User over Workspace Admin / Editor / Viewer, the
 * fine-grained add-ons that stack on a workspace's primary role, and who may toggle them.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine.js';
import type { PermissionOf } from '../permission.js';
import { snapshotFor } from '../preset.js';
import { flowcodeOrgSeedTable, flowcodeWorkspaceSeedTable } from '../reference/seeds.js';
import type { Assignment, GroupMembership, SubjectInfo } from '../snapshot.js';
import { type flowcodeCatalog, flowcodePreset } from './flowcode.js';

type Permission = PermissionOf<typeof flowcodeCatalog>;
type Cell = '✅' | '❌';

const ORG = 'org_fc';
const WS_A = 'ws_a';
const WS_B = 'ws_b';
const WS_C = 'ws_c';
const WORKSPACES = [WS_A, WS_B, WS_C];

const scopes = [
  { id: ORG, parentId: null, kind: 'organization', name: 'Flowcode customer' },
  { id: WS_A, parentId: ORG, kind: 'workspace', name: 'Marketing' },
  { id: WS_B, parentId: ORG, kind: 'workspace', name: 'Events' },
  { id: WS_C, parentId: ORG, kind: 'workspace', name: 'Retail' },
];

const user = (id: string, active = true): SubjectInfo => ({ id, type: 'user', active });
let seq = 0;
const grant = (subjectId: string, roleKey: string, scopeId: string): Assignment => ({
  id: `as_${++seq}`,
  subjectId,
  roleKey,
  scopeId,
  environment: null,
});

function org(
  subjects: SubjectInfo[],
  assignments: Assignment[],
  memberships: GroupMembership[] = [],
) {
  return createEngine(
    snapshotFor(flowcodePreset, { orgId: ORG, scopes, subjects, memberships, assignments }),
  );
}

/** Every Flowcode member has a primary org role: Admin or User. */
const subjects: SubjectInfo[] = [
  user('usr_org_admin'),
  user('usr_org_user'),
  user('usr_ws_admin'),
  user('usr_ws_editor'),
  user('usr_ws_viewer'),
  user('usr_ws_admin_b'),
  user('usr_bare_ws_admin'),
  { id: 'grp_retail', type: 'group', active: true, label: 'Retail team' },
];
const assignments: Assignment[] = [
  grant('usr_org_admin', 'org_admin', ORG),
  grant('usr_org_user', 'org_user', ORG),
  grant('usr_org_user', 'workspace_editor', WS_A),
  grant('usr_org_user', 'workspace_viewer', WS_B),
  grant('usr_ws_admin', 'org_user', ORG),
  grant('usr_ws_admin', 'workspace_admin', WS_A),
  grant('usr_ws_editor', 'org_user', ORG),
  grant('usr_ws_editor', 'workspace_editor', WS_A),
  grant('usr_ws_viewer', 'org_user', ORG),
  grant('usr_ws_viewer', 'workspace_viewer', WS_A),
  grant('usr_ws_admin_b', 'org_user', ORG),
  grant('usr_ws_admin_b', 'workspace_admin', WS_B),
  // A workspace admin with no org-level role at all.
  grant('usr_bare_ws_admin', 'workspace_admin', WS_A),
  // A team given a role in a workspace (G2).
  grant('grp_retail', 'workspace_editor', WS_C),
];
const memberships: GroupMembership[] = [{ groupId: 'grp_retail', memberId: 'usr_org_user' }];
const engine = org(subjects, assignments, memberships);

function heldOf(e: ReturnType<typeof org>, subject: string, scope: string, ps: readonly string[]) {
  return ps.filter((p) => e.can(subject, p, scope));
}

/** Asserts a cell both ways: ✅ holds every permission, ❌ holds none of them. */
function expectCell(held: readonly string[], permissions: readonly string[], expected: Cell) {
  if (expected === '✅') expect(held).toEqual([...permissions]);
  else expect(held).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// Organization level: the Organization Admin console.

const orgTable = flowcodeOrgSeedTable;

/** The Organization Admin console's permissions, as the issue lists them. */
const consolePermissions: readonly Permission[] = [
  'dashboard.read',
  'scopes.create',
  'scopes.delete',
  'groups.manage',
  'members.invite',
  'members.remove',
  'audit.read',
  'org.update',
  'sso.read',
  'domains.manage',
  'integrations.manage',
];

const orgCells = orgTable.flatMap((row) =>
  (['admin', 'user'] as const).map((role) => ({
    title: `Organization ${role === 'admin' ? 'Admin' : 'User'} — ${row.section}: ${row[role]}`,
    subject: role === 'admin' ? 'usr_org_admin' : 'usr_org_user',
    permissions: row.permissions,
    expected: row[role],
  })),
);

describe('R2 seed 001: Organization Admin vs Organization User', () => {
  it.each(orgCells.map((c) => [c.title, c] as const))(
    'R2 seed 001: %s',
    (_title, { subject, permissions, expected }) => {
      expectCell(heldOf(engine, subject, ORG, permissions), permissions, expected);
    },
  );

  it('R2 seed 001: the Organization Admin holds every permission in every workspace', () => {
    const all = flowcodePreset.catalog.permissions.map((p) => p.name);
    for (const scope of [ORG, ...WORKSPACES]) {
      expect(engine.effectivePermissions('usr_org_admin', scope)).toEqual(all);
    }
    expect(
      engine.explain({ subject: 'usr_org_admin', permission: 'flows.write', scope: WS_C }).grants,
    ).toEqual([expect.objectContaining({ roleKey: 'org_admin', scopeId: ORG, inherited: true })]);
  });

  it('T4 seed 001: the Organization Admin sees every workspace', () => {
    const seen = engine.listScopes('usr_org_admin', 'scopes.read').items.map((s) => s.id);
    expect(seen).toEqual([ORG, ...WORKSPACES].sort());
  });

  it('T4 seed 001: an Organization User sees only the workspaces they were given', () => {
    // Editor on ws_a, Viewer on ws_b, and ws_c through the Retail team; never the org itself.
    const seen = engine.listScopes('usr_org_user', 'scopes.read').items.map((s) => s.id);
    expect(seen).toEqual([WS_A, WS_B, WS_C]);
    const onlyA = engine.listScopes('usr_ws_editor', 'scopes.read').items.map((s) => s.id);
    expect(onlyA).toEqual([WS_A]);
  });

  it('T4 seed 001: an Organization User never holds org-level settings', () => {
    expect(engine.effectivePermissions('usr_org_user', ORG)).toEqual(['org.read']);
    for (const scope of [ORG, ...WORKSPACES]) {
      expect(heldOf(engine, 'usr_org_user', scope, consolePermissions)).toEqual([]);
    }
    expect(heldOf(engine, 'usr_org_admin', ORG, consolePermissions)).toEqual(consolePermissions);
  });

  it('M1 seed 001: new members default to Organization User, and Viewer in a workspace', () => {
    expect(flowcodePreset.defaultRoles).toEqual({
      organization: 'org_user',
      workspace: 'workspace_viewer',
    });
  });

  it('M7 seed 001: the organization keeps at least one Organization Admin', () => {
    expect(engine.invariantViolations()).toEqual([]);
    const without = org(
      subjects,
      assignments.filter((a) => a.roleKey !== 'org_admin'),
      memberships,
    );
    expect(without.invariantViolations()).toEqual([
      expect.objectContaining({ roleKey: 'org_admin', holders: 0 }),
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Workspace level: Admin / Editor / Viewer.

type WorkspaceRole = 'admin' | 'editor' | 'viewer';

const workspaceTable = flowcodeWorkspaceSeedTable;

const workspaceRoleName: Record<WorkspaceRole, string> = {
  admin: 'Workspace Admin',
  editor: 'Workspace Editor',
  viewer: 'Workspace Viewer',
};
const workspaceCells = workspaceTable.flatMap((row) =>
  (['admin', 'editor', 'viewer'] as const).map((role) => ({
    title: `${workspaceRoleName[role]} — ${row.capability}: ${row[role]}`,
    subject: `usr_ws_${role}`,
    permissions: row.permissions,
    expected: row[role],
  })),
);

describe('R2 seed 001: Workspace Admin / Editor / Viewer', () => {
  it.each(workspaceCells.map((c) => [c.title, c] as const))(
    'R2 seed 001: %s',
    (_title, { subject, permissions, expected }) => {
      expectCell(heldOf(engine, subject, WS_A, permissions), permissions, expected);
    },
  );

  it('R2 seed 001: the Workspace Viewer is read-only (analytics, download flows)', () => {
    const perms = engine.effectivePermissions('usr_ws_viewer', WS_A);
    const writes = perms.filter((p) => !/\.(read|download)$/.test(p));
    expect(writes).toEqual([]);
  });

  it('R2 seed 001: the Workspace Editor cannot manage users', () => {
    const perms = engine.effectivePermissions('usr_ws_editor', WS_A);
    expect(perms.filter((p) => /^(members|roles|groups)\./.test(p))).toEqual([]);
  });

  it('R6 seed 001: a Workspace Admin has no rights in another workspace', () => {
    // Holding only the workspace role: nothing at all outside it.
    expect(engine.effectivePermissions('usr_bare_ws_admin', WS_A).length).toBeGreaterThan(0);
    for (const scope of [ORG, WS_B, WS_C]) {
      expect(engine.effectivePermissions('usr_bare_ws_admin', scope)).toEqual([]);
    }
    // With the Organization User role as well: only what that org role gives (org.read).
    for (const scope of [WS_B, WS_C]) {
      expect(engine.effectivePermissions('usr_ws_admin', scope)).toEqual(
        engine.effectivePermissions('usr_ws_admin', ORG),
      );
    }
    expect(engine.effectivePermissions('usr_ws_admin', ORG)).toEqual(['org.read']);
    expect(
      engine.check({ subject: 'usr_ws_admin', permission: 'members.invite', scope: WS_B }),
    ).toMatchObject({ allowed: false, code: 'no_grant' });
  });

  it('R6 seed 001: a Workspace Admin manages members of its own workspace only', () => {
    for (const role of ['workspace_admin', 'workspace_editor', 'workspace_viewer']) {
      expect(engine.canAssign({ actor: 'usr_ws_admin', role, scope: WS_A }).allowed).toBe(true);
      expect(engine.canAssign({ actor: 'usr_ws_admin', role, scope: WS_B }).code).toBe(
        'cannot_assign',
      );
    }
    expect(engine.canAssign({ actor: 'usr_ws_admin', role: 'org_user', scope: ORG }).code).toBe(
      'cannot_assign',
    );
  });

  it('G2 seed 001: a team given a workspace role passes it to its members there only', () => {
    expect(engine.can('usr_org_user', 'flows.write', WS_C)).toBe(true);
    expect(
      engine.explain({ subject: 'usr_org_user', permission: 'flows.write', scope: WS_C }).grants,
    ).toEqual([expect.objectContaining({ viaGroup: 'grp_retail', scopeId: WS_C })]);
    expect(engine.can('usr_org_user', 'flows.write', WS_B)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Fine-grained permissions (add-ons).

type AddOn = 'flows_manager' | 'brand_kits_manager' | 'audience_viewer';

interface AddOnRow {
  readonly addOn: AddOn;
  readonly wording: string;
  readonly permissions: readonly Permission[];
}

/** Seed 001 §3: the three fine-grained permissions and what they give. */
const addOnTable: readonly AddOnRow[] = [
  {
    addOn: 'flows_manager',
    wording: 'Flows Manager: creation and management of conversion flows',
    permissions: ['flows.read', 'flows.write'],
  },
  {
    addOn: 'brand_kits_manager',
    wording: 'Brand Kits Manager: manage brand assets, colors and styles',
    permissions: ['brandKits.manage'],
  },
  {
    addOn: 'audience_viewer',
    wording: 'Audience Viewer: view, manage and export audience data',
    permissions: ['audience.read', 'audience.manage', 'audience.export'],
  },
];
const addOnRows = addOnTable.map((r) => [r.wording, r] as const);

function viewerWith(addOns: readonly AddOn[]) {
  return org(
    [user('usr_admin'), user('usr_v')],
    [
      grant('usr_admin', 'org_admin', ORG),
      grant('usr_v', 'org_user', ORG),
      grant('usr_v', 'workspace_viewer', WS_A),
      ...addOns.map((a) => grant('usr_v', a, WS_A)),
    ],
  );
}
const union = (...lists: ReadonlyArray<readonly string[]>) => [...new Set(lists.flat())].sort();
const viewerOnly = viewerWith([]).effectivePermissions('usr_v', WS_A);

describe('R4 seed 001: fine-grained add-ons stack on a primary role', () => {
  it.each(addOnRows)('R4 seed 001: Viewer + %s gains exactly its permissions', (_w, row) => {
    const e = viewerWith([row.addOn]);
    const perms = e.effectivePermissions('usr_v', WS_A);
    expect([...perms].sort()).toEqual(union(viewerOnly, row.permissions));
    expect(heldOf(e, 'usr_v', WS_A, row.permissions)).toEqual([...row.permissions]);
    // It holds in that workspace only.
    expect(heldOf(e, 'usr_v', WS_B, row.permissions)).toEqual([]);
  });

  it.each(addOnRows)('R4 seed 001: a plain Viewer does not hold %s', (_w, row) => {
    const missing = row.permissions.filter((p) => !viewerOnly.includes(p));
    expect(missing.length).toBeGreaterThan(0);
    expect(heldOf(viewerWith([]), 'usr_v', WS_A, missing)).toEqual([]);
  });

  it('R4 seed 001: all three add-ons stack together on a Viewer', () => {
    const e = viewerWith(['flows_manager', 'brand_kits_manager', 'audience_viewer']);
    expect([...e.effectivePermissions('usr_v', WS_A)].sort()).toEqual(
      union(viewerOnly, ...addOnTable.map((r) => r.permissions)),
    );
    expect(e.skippedAssignments).toEqual([]);
  });

  it('R5 seed 001: two primary roles at one workspace collide; add-ons never do', () => {
    const e = viewerWith(['flows_manager', 'brand_kits_manager', 'audience_viewer']);
    const viewerAssignment = e.snapshot.assignments.find(
      (a) => a.subjectId === 'usr_v' && a.roleKey === 'workspace_viewer',
    );
    for (const primary of ['workspace_admin', 'workspace_editor']) {
      expect(e.slotConflicts({ subject: 'usr_v', role: primary, scope: WS_A })).toEqual([
        viewerAssignment,
      ]);
      // A primary role in another workspace collides with nothing.
      expect(e.slotConflicts({ subject: 'usr_v', role: primary, scope: WS_B })).toEqual([]);
    }
    for (const { addOn } of addOnTable) {
      expect(e.slotConflicts({ subject: 'usr_v', role: addOn, scope: WS_A })).toEqual([]);
    }
  });

  it('R5 seed 001: the two org roles collide at the org; workspace roles do not collide with them', () => {
    expect(
      engine.slotConflicts({ subject: 'usr_ws_editor', role: 'org_admin', scope: ORG }),
    ).toEqual([expect.objectContaining({ roleKey: 'org_user', scopeId: ORG })]);
    expect(
      engine.slotConflicts({ subject: 'usr_org_user', role: 'workspace_admin', scope: WS_C }),
    ).toEqual([]);
  });
});

const togglers = [
  ['an Organization Admin', 'usr_org_admin', true],
  ["that workspace's Admin", 'usr_ws_admin', true],
  ['the Admin of another workspace', 'usr_ws_admin_b', false],
  ['a Workspace Editor', 'usr_ws_editor', false],
  ['a Workspace Viewer', 'usr_ws_viewer', false],
  ['an Organization User', 'usr_org_user', false],
] as const;
const toggleCells = togglers.flatMap(([who, actor, allowed]) =>
  addOnTable.map(
    (r) =>
      [`${who} ${allowed ? 'may' : 'may not'} toggle ${r.addOn}`, actor, r.addOn, allowed] as const,
  ),
);

describe('R4 seed 001: who may toggle add-ons', () => {
  it.each(toggleCells)('R4 seed 001: %s', (_title, actor, addOn, allowed) => {
    const d = engine.canAssign({ actor, role: addOn, scope: WS_A, subject: 'usr_ws_viewer' });
    if (allowed) expect(d).toMatchObject({ allowed: true, code: 'granted' });
    else expect(d).toMatchObject({ allowed: false, code: 'cannot_assign' });
  });
});

describe('R6 seed 001: org roles belong to the org, workspace roles to workspaces', () => {
  const orgRoles = ['org_admin', 'org_user'];
  const workspaceRoles = [
    'workspace_admin',
    'workspace_editor',
    'workspace_viewer',
    'flows_manager',
    'brand_kits_manager',
    'audience_viewer',
  ];

  it.each(orgRoles)('R6 seed 001: %s cannot be assigned at a workspace', (role) => {
    expect(engine.canAssign({ actor: 'usr_org_admin', role, scope: WS_A })).toMatchObject({
      allowed: false,
      code: 'role_not_allowed_here',
    });
    expect(engine.canAssign({ actor: 'usr_org_admin', role, scope: ORG }).allowed).toBe(true);
  });

  it.each(workspaceRoles)('R6 seed 001: %s cannot be assigned at the organization', (role) => {
    expect(engine.canAssign({ actor: 'usr_org_admin', role, scope: ORG })).toMatchObject({
      allowed: false,
      code: 'role_not_allowed_here',
    });
    expect(engine.canAssign({ actor: 'usr_org_admin', role, scope: WS_A }).allowed).toBe(true);
  });

  it('R6 seed 001: a workspace role placed at the org in a snapshot takes no effect', () => {
    const e = org(
      [user('usr_admin'), user('usr_x')],
      [grant('usr_admin', 'org_admin', ORG), grant('usr_x', 'workspace_admin', ORG)],
    );
    expect(e.skippedAssignments).toEqual([
      expect.objectContaining({ assignment: expect.objectContaining({ subjectId: 'usr_x' }) }),
    ]);
    for (const scope of [ORG, ...WORKSPACES]) {
      expect(e.effectivePermissions('usr_x', scope)).toEqual([]);
    }
  });
});

/**
 * Seed 002 (an identity-verification Admin Console): the five-role × four-capability table,
 * cell by cell, at organization level (every subtenant) and at subtenant level (that one only).
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine.js';
import { snapshotFor } from '../preset.js';
import type { Assignment, SubjectInfo } from '../snapshot.js';
import { miniPreset } from '../testing/mini-preset.js';
import { idvCapabilities, idvConsolePreset } from './idv-console.js';
import { presets } from './index.js';

type Role = 'admin' | 'service_manager' | 'manager' | 'auditor' | 'default';
type Capability = keyof typeof idvCapabilities;
/** The seed's glyphs: ✓ granted, — not granted. */
type Cell = '✓' | '—';

/** One row of the seed's table. */
type TableRow = { readonly role: Role; readonly name: string } & Readonly<Record<Capability, Cell>>;

/** Seed 002 "Roles & Permissions", row for row. */
const table: readonly TableRow[] = [
  {
    role: 'admin',
    name: 'Admin',
    configChanges: '✓',
    userManagement: '✓',
    viewServicesAndWorkflows: '✓',
    viewTransactionsAndReports: '✓',
  },
  {
    role: 'service_manager',
    name: 'Service Manager',
    configChanges: '✓',
    userManagement: '—',
    viewServicesAndWorkflows: '✓',
    viewTransactionsAndReports: '✓',
  },
  {
    role: 'manager',
    name: 'Manager',
    configChanges: '—',
    userManagement: '✓',
    viewServicesAndWorkflows: '✓',
    viewTransactionsAndReports: '✓',
  },
  {
    role: 'auditor',
    name: 'Auditor',
    configChanges: '—',
    userManagement: '—',
    viewServicesAndWorkflows: '—',
    viewTransactionsAndReports: '✓',
  },
  {
    role: 'default',
    name: 'Default',
    configChanges: '—',
    userManagement: '—',
    viewServicesAndWorkflows: '✓',
    viewTransactionsAndReports: '✓',
  },
];

const capabilityName: Record<Capability, string> = {
  configChanges: 'Config changes',
  userManagement: 'User management',
  viewServicesAndWorkflows: 'View services & workflows',
  viewTransactionsAndReports: 'View transactions & reports',
};
const capabilities = Object.keys(capabilityName) as Capability[];

/** 5 roles × 4 capabilities = 20 cells, one test case each. */
const cells = table.flatMap((row) =>
  capabilities.map((capability) => ({
    title: `${row.name} — ${capabilityName[capability]}: ${row[capability]}`,
    role: row.role,
    permissions: idvCapabilities[capability] as readonly string[],
    expected: row[capability],
  })),
);

const ORG = 'org_idv';
const SUB_A = 'sub_account_opening';
const SUB_B = 'sub_lending';
const SUB_C = 'sub_reseller';
const SUBTENANTS = [SUB_A, SUB_B, SUB_C];
const scopes = [
  { id: ORG, parentId: null, kind: 'organization', name: 'Bank' },
  { id: SUB_A, parentId: ORG, kind: 'subtenant', name: 'Account Opening' },
  { id: SUB_B, parentId: ORG, kind: 'subtenant', name: 'Lending' },
  { id: SUB_C, parentId: ORG, kind: 'subtenant', name: 'Reseller' },
];

const roles = table.map((r) => r.role);
const user = (id: string): SubjectInfo => ({ id, type: 'user', active: true });
let seq = 0;
const grant = (subjectId: string, roleKey: string, scopeId: string): Assignment => ({
  id: `as_${++seq}`,
  subjectId,
  roleKey,
  scopeId,
  environment: null,
});

/** Per role: `usr_org_<role>` holds it at the org, `usr_sub_<role>` at the Account Opening subtenant. */
const engine = createEngine(
  snapshotFor(idvConsolePreset, {
    orgId: ORG,
    scopes,
    subjects: [
      ...roles.map((r) => user(`usr_org_${r}`)),
      ...roles.map((r) => user(`usr_sub_${r}`)),
      user('usr_multi'),
    ],
    assignments: [
      ...roles.map((r) => grant(`usr_org_${r}`, r, ORG)),
      ...roles.map((r) => grant(`usr_sub_${r}`, r, SUB_A)),
      // Seed 002: "Service Manager on one subtenant and Default (read-only) on another".
      grant('usr_multi', 'service_manager', SUB_A),
      grant('usr_multi', 'default', SUB_B),
    ],
  }),
);

const held = (subject: string, scope: string, permissions: readonly string[]) =>
  permissions.filter((p) => engine.can(subject, p, scope));

function expectCell(got: readonly string[], permissions: readonly string[], expected: Cell) {
  if (expected === '✓') expect(got).toEqual([...permissions]);
  else expect(got).toEqual([]);
}

const cellRows = cells.map((c) => [c.title, c] as const);

describe('R2 seed 002: the role × capability table', () => {
  it('R2 seed 002: the table has 5 roles × 4 capabilities = 20 cells', () => {
    expect(cells).toHaveLength(20);
    expect(idvConsolePreset.roles.map((r) => [r.key, r.name])).toEqual(
      table.map((r) => [r.role, r.name]),
    );
  });

  it.each(cellRows)(
    'R2 seed 002: %s — at organization level, in the org and every subtenant',
    (_t, { role, permissions, expected }) => {
      for (const scope of [ORG, ...SUBTENANTS]) {
        expectCell(held(`usr_org_${role}`, scope, permissions), permissions, expected);
      }
    },
  );

  it.each(cellRows)(
    'R2 seed 002: %s — at subtenant level, in that subtenant only',
    (_t, { role, permissions, expected }) => {
      expectCell(held(`usr_sub_${role}`, SUB_A, permissions), permissions, expected);
      for (const elsewhere of [ORG, SUB_B, SUB_C]) {
        expect(held(`usr_sub_${role}`, elsewhere, permissions)).toEqual([]);
      }
    },
  );
});

describe('T4 seed 002: subtenant roles see that subtenant only', () => {
  it.each(roles)('T4 seed 002: a subtenant-level %s holds nothing outside it', (role) => {
    expect(engine.effectivePermissions(`usr_sub_${role}`, SUB_A).length).toBeGreaterThan(0);
    for (const scope of [ORG, SUB_B, SUB_C]) {
      expect(engine.effectivePermissions(`usr_sub_${role}`, scope)).toEqual([]);
    }
  });

  it.each(roles)('T4 seed 002: a subtenant-level %s never holds org-level settings', (role) => {
    for (const permission of ['org.update', 'org.read', 'members.invite', 'scopes.create']) {
      expect(engine.check({ subject: `usr_sub_${role}`, permission, scope: ORG })).toMatchObject({
        allowed: false,
        code: 'no_grant',
      });
    }
  });

  it.each(roles)('T4 seed 002: %s lists only the subtenants it can see', (role) => {
    const permission = 'transactions.read';
    const sub = engine.listScopes(`usr_sub_${role}`, permission).items.map((s) => s.id);
    expect(sub).toEqual([SUB_A]);
    const org = engine.listScopes(`usr_org_${role}`, permission).items.map((s) => s.id);
    expect(org).toEqual([ORG, ...SUBTENANTS].sort());
  });
});

describe('M5 seed 002: one user, different roles in different subtenants', () => {
  const sm = (c: Capability) => idvCapabilities[c] as readonly string[];

  it('M5 seed 002: Service Manager on one subtenant, Default on another', () => {
    // Account Opening: Service Manager — config changes and both views, no user management.
    expect(held('usr_multi', SUB_A, sm('configChanges'))).toEqual([...sm('configChanges')]);
    expect(held('usr_multi', SUB_A, sm('userManagement'))).toEqual([]);
    // Lending: Default — read-only, both views.
    expect(held('usr_multi', SUB_B, sm('configChanges'))).toEqual([]);
    expect(held('usr_multi', SUB_B, sm('userManagement'))).toEqual([]);
    for (const scope of [SUB_A, SUB_B]) {
      expect(held('usr_multi', scope, sm('viewServicesAndWorkflows'))).toEqual([
        ...sm('viewServicesAndWorkflows'),
      ]);
      expect(held('usr_multi', scope, sm('viewTransactionsAndReports'))).toEqual([
        ...sm('viewTransactionsAndReports'),
      ]);
    }
    // Nothing in the third subtenant or at the org.
    expect(engine.effectivePermissions('usr_multi', SUB_C)).toEqual([]);
    expect(engine.effectivePermissions('usr_multi', ORG)).toEqual([]);
    expect(engine.listScopes('usr_multi', 'workflows.read').items.map((s) => s.id)).toEqual([
      SUB_A,
      SUB_B,
    ]);
    expect(engine.listScopes('usr_multi', 'config.write').items.map((s) => s.id)).toEqual([SUB_A]);
  });

  it('R5 seed 002: the two subtenant roles do not collide; a second role in one subtenant does', () => {
    expect(
      engine.slotConflicts({ subject: 'usr_multi', role: 'service_manager', scope: SUB_B }),
    ).toEqual([expect.objectContaining({ roleKey: 'default', scopeId: SUB_B })]);
    expect(engine.slotConflicts({ subject: 'usr_multi', role: 'manager', scope: SUB_C })).toEqual(
      [],
    );
  });
});

describe('M5 T4 seed 002: a subtenant-level role moves an org-level user down', () => {
  // Seed 002: "By default, a user invited at the organization level can see all subtenants. If
  // you need to limit a user's access to one specific subtenant … assign them a subtenant-level
  // role … The user will only have access to the workflows, configurations, and transaction data
  // within that subtenant. They will not see any other subtenants or organization-level settings.
  // You can assign a user to multiple subtenants with different roles on each."

  it('M5 seed 002: the idv-console preset moves down; the other four presets stack', () => {
    expect(idvConsolePreset.scopedRoleMovesDown).toBe(true);
    for (const p of Object.values(presets)) {
      if (p !== idvConsolePreset) expect(p.scopedRoleMovesDown, p.key).toBe(false);
    }
    // definePreset: a preset that does not say stacks.
    expect(miniPreset.scopedRoleMovesDown).toBe(false);
  });

  it.each(roles)(
    'M5 seed 002: "assign them a subtenant-level role" ends an org-level %s in the same slot',
    (role) => {
      for (const given of roles) {
        expect(
          engine.slotHoldersAbove({ subject: `usr_org_${role}`, role: given, scope: SUB_A }),
        ).toEqual([expect.objectContaining({ roleKey: role, scopeId: ORG })]);
      }
      // At the organization level nothing is above: no move.
      expect(engine.slotHoldersAbove({ subject: `usr_org_${role}`, role, scope: ORG })).toEqual([]);
    },
  );

  it('M5 seed 002: "multiple subtenants with different roles on each": another subtenant role stays', () => {
    expect(
      engine.slotHoldersAbove({ subject: 'usr_multi', role: 'manager', scope: SUB_C }),
    ).toEqual([]);
  });

  it('T4 seed 002: moved down, "they will not see any other subtenants or organization-level settings"', () => {
    const subject = 'usr_org_manager';
    const ended = new Set(
      engine.slotHoldersAbove({ subject, role: 'service_manager', scope: SUB_B }).map((a) => a.id),
    );
    const moved = createEngine({
      ...engine.snapshot,
      assignments: [
        ...engine.snapshot.assignments.filter((a) => !ended.has(a.id)),
        grant(subject, 'service_manager', SUB_B),
      ],
    });
    expect(moved.listScopes(subject, 'scopes.read').items.map((s) => s.id)).toEqual([SUB_B]);
    expect(moved.effectivePermissions(subject, ORG)).toEqual([]);
    for (const scope of [SUB_A, SUB_C])
      expect(moved.effectivePermissions(subject, scope)).toEqual([]);
    // "workflows, configurations, and transaction data within that subtenant".
    for (const p of ['workflows.write', 'config.write', 'transactions.read']) {
      expect(moved.can(subject, p, SUB_B), p).toBe(true);
    }
  });
});

describe('R6 seed 002: a Manager cannot escalate', () => {
  const allowed = ['manager', 'auditor', 'default'] as const;
  const refused = ['admin', 'service_manager'] as const;

  it.each(allowed)('R6 seed 002: an org-level Manager may assign %s', (role) => {
    for (const scope of [ORG, SUB_A, SUB_B]) {
      expect(engine.canAssign({ actor: 'usr_org_manager', role, scope })).toMatchObject({
        allowed: true,
        code: 'granted',
      });
    }
  });

  it.each(refused)('R6 seed 002: an org-level Manager may not assign %s', (role) => {
    for (const scope of [ORG, SUB_A]) {
      expect(engine.canAssign({ actor: 'usr_org_manager', role, scope })).toMatchObject({
        allowed: false,
        code: 'escalation',
      });
    }
  });

  it.each(allowed)(
    'R6 seed 002: a subtenant Manager may assign %s in its subtenant only',
    (role) => {
      expect(engine.canAssign({ actor: 'usr_sub_manager', role, scope: SUB_A }).allowed).toBe(true);
      for (const scope of [ORG, SUB_B]) {
        expect(engine.canAssign({ actor: 'usr_sub_manager', role, scope })).toMatchObject({
          allowed: false,
          code: 'cannot_assign',
        });
      }
    },
  );

  it.each(['service_manager', 'auditor', 'default'] as const)(
    'R6 seed 002: an org-level %s cannot assign any role',
    (actor) => {
      for (const role of roles) {
        expect(engine.canAssign({ actor: `usr_org_${actor}`, role, scope: SUB_A }).code).toBe(
          'cannot_assign',
        );
      }
    },
  );

  it('R6 seed 002: an org-level Admin may assign every role anywhere', () => {
    for (const role of roles) {
      for (const scope of [ORG, ...SUBTENANTS]) {
        expect(engine.canAssign({ actor: 'usr_org_admin', role, scope }).allowed).toBe(true);
      }
    }
  });
});

describe('M1 / M7 seed 002', () => {
  it('M1 seed 002: with no role named, an invitation gives Default', () => {
    expect(idvConsolePreset.defaultRoles).toEqual({
      organization: 'default',
      subtenant: 'default',
    });
  });

  it('M7 seed 002: the organization keeps at least one org-level Admin', () => {
    expect(engine.invariantViolations()).toEqual([]);
    const snapshot = engine.snapshot;
    const noOrgAdmin = createEngine({
      ...snapshot,
      assignments: snapshot.assignments.filter(
        (a) => !(a.roleKey === 'admin' && a.scopeId === ORG),
      ),
    });
    // A subtenant Admin does not count.
    expect(noOrgAdmin.invariantViolations()).toEqual([
      expect.objectContaining({ roleKey: 'admin', holders: 0 }),
    ]);
  });
});

/**
 * Seed 000 (IDnow team management), cell by cell: the 12-row × 3-role permission table, the
 * Viewer default for new members, "at least one Editor" and who may assign roles.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine.js';
import { snapshotFor } from '../preset.js';
import { idnowSeedTable } from '../reference/seeds.js';
import type { Assignment, SubjectInfo } from '../snapshot.js';
import { idnowPreset } from './idnow.js';

type Role = 'editor' | 'developer' | 'viewer';
const table = idnowSeedTable;

const roles: readonly Role[] = ['editor', 'developer', 'viewer'];
const roleName: Record<Role, string> = {
  editor: 'Editor',
  developer: 'Developer',
  viewer: 'Viewer',
};

/** One cell of the table per test case, so a failure names the cell. */
const cells = table.flatMap((row) =>
  roles.map((role) => ({
    action: row.action,
    role,
    name: roleName[role],
    permissions: row.permissions,
    expected: row[role],
  })),
);

const ORG = 'org_idnow';
const scopes = [{ id: ORG, parentId: null, kind: 'organization', name: 'IDnow customer' }];
const user = (id: string, active = true): SubjectInfo => ({ id, type: 'user', active });
const at = (id: string, subjectId: string, roleKey: string): Assignment => ({
  id,
  subjectId,
  roleKey,
  scopeId: ORG,
  environment: null,
});

const org = (subjects: SubjectInfo[], assignments: Assignment[]) =>
  createEngine(snapshotFor(idnowPreset, { orgId: ORG, scopes, subjects, assignments }));

const engine = org(
  [user('usr_editor'), user('usr_developer'), user('usr_viewer')],
  [
    at('as_editor', 'usr_editor', 'editor'),
    at('as_developer', 'usr_developer', 'developer'),
    at('as_viewer', 'usr_viewer', 'viewer'),
  ],
);

describe('R2 seed 000: the Editor / Developer / Viewer table, cell by cell', () => {
  it('R2 seed 000: the table has 12 rows × 3 roles = 36 cells', () => {
    expect(table).toHaveLength(12);
    expect(cells).toHaveLength(36);
  });

  it.each(cells.map((c) => [`${c.name} — ${c.action}: ${c.expected}`, c] as const))(
    'R2 seed 000: %s',
    (_title, { role, permissions, expected }) => {
      const subject = `usr_${role}`;
      const held = permissions.filter((p) => engine.can(subject, p, ORG));
      const decisions = permissions.map(
        (p) => engine.check({ subject, permission: p, scope: ORG }).allowed,
      );
      if (expected === '✅') {
        // ✅: the role holds every permission that expresses the row.
        expect(held).toEqual([...permissions]);
        expect(decisions.every(Boolean)).toBe(true);
      } else {
        // ❌: the role holds none of them.
        expect(held).toEqual([]);
        expect(decisions.some(Boolean)).toBe(false);
      }
    },
  );

  it('R2 seed 000: the roles carry the seed names', () => {
    expect(idnowPreset.roles.map((r) => [r.key, r.name])).toEqual([
      ['editor', 'Editor'],
      ['developer', 'Developer'],
      ['viewer', 'Viewer'],
    ]);
  });

  it('R2 seed 000: Developer and Viewer are read-only outside API clients and webhooks', () => {
    const writes = (subject: string) =>
      engine
        .effectivePermissions(subject, ORG)
        .filter((p) => !/\.(read|start|history|details)$/.test(p));
    expect(writes('usr_viewer')).toEqual([]);
    expect(writes('usr_developer').sort()).toEqual(['apiClients.manage', 'webhooks.manage']);
  });
});

describe('M1 seed 000: new members get Viewer', () => {
  it('M1 seed 000: the default role at the organization is viewer', () => {
    expect(idnowPreset.defaultRoles.organization).toBe('viewer');
  });

  it('M1 seed 000: a new member with the default role has exactly the Viewer column', () => {
    const e = org(
      [user('usr_editor'), user('usr_new')],
      [
        at('as_editor', 'usr_editor', 'editor'),
        at('as_new', 'usr_new', idnowPreset.defaultRoles.organization!),
      ],
    );
    const viewerCells = table.filter((r) => r.viewer === '✅').flatMap((r) => r.permissions);
    expect(viewerCells.every((p) => e.can('usr_new', p, ORG))).toBe(true);
    expect(e.effectivePermissions('usr_new', ORG)).toEqual(
      engine.effectivePermissions('usr_viewer', ORG),
    );
  });
});

describe('M7 seed 000: at least one Editor', () => {
  it('M7 seed 000: holds with one Editor', () => {
    expect(engine.invariantViolations()).toEqual([]);
  });

  it('M7 seed 000: removing the last Editor breaks the invariant', () => {
    const e = org(
      [user('usr_editor'), user('usr_viewer')],
      [at('as_viewer', 'usr_viewer', 'viewer')],
    );
    expect(e.invariantViolations()).toEqual([
      expect.objectContaining({ code: 'required_role_holders', roleKey: 'editor', holders: 0 }),
    ]);
  });

  it('M7 seed 000: demoting the last Editor to Developer breaks the invariant', () => {
    const e = org([user('usr_editor')], [at('as_editor', 'usr_editor', 'developer')]);
    expect(e.invariantViolations()).toEqual([
      expect.objectContaining({ roleKey: 'editor', min: 1, holders: 0 }),
    ]);
  });

  it('M7 seed 000: deactivating the last Editor breaks the invariant', () => {
    const e = org(
      [user('usr_editor', false), user('usr_viewer')],
      [at('as_editor', 'usr_editor', 'editor'), at('as_viewer', 'usr_viewer', 'viewer')],
    );
    expect(e.invariantViolations()).toEqual([
      expect.objectContaining({ roleKey: 'editor', holders: 0 }),
    ]);
  });

  it('M7 seed 000: two Editors minus one still holds', () => {
    const e = org(
      [user('usr_editor'), user('usr_editor2', false)],
      [at('as_editor', 'usr_editor', 'editor'), at('as_editor2', 'usr_editor2', 'editor')],
    );
    expect(e.invariantViolations()).toEqual([]);
  });
});

describe('R6 seed 000: who may assign roles', () => {
  it.each(roles)('R6 seed 000: an Editor can assign %s', (role) => {
    const d = engine.canAssign({ actor: 'usr_editor', role, scope: ORG, subject: 'usr_viewer' });
    expect(d).toMatchObject({ allowed: true, code: 'granted' });
  });

  const nonEditors = (['developer', 'viewer'] as const).flatMap((actor) =>
    roles.map((role) => [actor, role] as const),
  );
  it.each(nonEditors)('R6 seed 000: a %s cannot assign %s', (actor, role) => {
    const d = engine.canAssign({ actor: `usr_${actor}`, role, scope: ORG });
    expect(d).toMatchObject({ allowed: false, code: 'cannot_assign' });
  });

  it('R6 seed 000: a deactivated Editor cannot assign roles', () => {
    const e = org([user('usr_editor', false)], [at('as_editor', 'usr_editor', 'editor')]);
    expect(e.canAssign({ actor: 'usr_editor', role: 'viewer', scope: ORG }).code).toBe(
      'inactive_subject',
    );
  });
});

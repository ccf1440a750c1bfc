import { describe, expect, it } from 'vitest';
import { createEngine, snapshotFor } from './index.js';
import { miniPreset } from './testing/mini-preset.js';

const preset = miniPreset;

const snapshot = snapshotFor(preset, {
  orgId: 'org_1',
  revision: 7,
  scopes: [
    { id: 'org_1', parentId: null, kind: 'org', name: 'Acme' },
    { id: 'ws_a', parentId: 'org_1', kind: 'ws', name: 'A' },
    { id: 'ws_a1', parentId: 'ws_a', kind: 'ws', name: 'A1' },
    { id: 'ws_b', parentId: 'org_1', kind: 'ws', name: 'B' },
  ],
  subjects: [
    { id: 'usr_owner', type: 'user', active: true },
    { id: 'usr_w', type: 'user', active: true },
    { id: 'usr_g', type: 'user', active: true },
    { id: 'usr_off', type: 'user', active: false },
    { id: 'grp_1', type: 'group', active: true },
  ],
  memberships: [{ groupId: 'grp_1', memberId: 'usr_g' }],
  assignments: [
    { id: 'as_1', subjectId: 'usr_owner', roleKey: 'owner', scopeId: 'org_1', environment: null },
    { id: 'as_2', subjectId: 'usr_w', roleKey: 'writer', scopeId: 'ws_a', environment: null },
    { id: 'as_3', subjectId: 'grp_1', roleKey: 'writer', scopeId: 'ws_b', environment: 'live' },
    { id: 'as_4', subjectId: 'usr_off', roleKey: 'owner', scopeId: 'org_1', environment: null },
  ],
});

describe('engine basics (C1–C5)', () => {
  const engine = createEngine(snapshot);

  it('C1 inherits downwards, never upwards or sideways (T3)', () => {
    expect(engine.can('usr_w', 'flows.write', 'ws_a')).toBe(true);
    expect(engine.can('usr_w', 'flows.write', 'ws_a1')).toBe(true);
    expect(engine.can('usr_w', 'flows.write', 'org_1')).toBe(false);
    expect(engine.can('usr_w', 'flows.write', 'ws_b')).toBe(false);
  });

  it('C1 forSubject answers like can(), and denies unknown or deactivated subjects', () => {
    const w = engine.forSubject('usr_w');
    expect(w.can('flows.write', 'ws_a1')).toBe(true);
    expect(w.can('flows.write', 'ws_b')).toBe(false);
    expect(w.can('nope.x', 'ws_a')).toBe(false);
    expect(engine.forSubject('usr_off').can('flows.read', 'org_1')).toBe(false);
    expect(engine.forSubject('nobody').can('flows.read', 'org_1')).toBe(false);
  });

  it('T5 environment-limited grants hold only in that environment', () => {
    expect(engine.can('usr_g', 'flows.write', 'ws_b', 'live')).toBe(true);
    expect(engine.can('usr_g', 'flows.write', 'ws_b', 'sandbox')).toBe(false);
    expect(engine.can('usr_g', 'flows.write', 'ws_b')).toBe(false);
  });

  it('denies with a reason, and deactivated subjects get nothing (M6)', () => {
    expect(
      engine.check({ subject: 'usr_off', permission: 'flows.read', scope: 'org_1' }),
    ).toMatchObject({
      allowed: false,
      code: 'inactive_subject',
    });
    expect(engine.check({ subject: 'nobody', permission: 'flows.read', scope: 'org_1' }).code).toBe(
      'unknown_subject',
    );
    expect(engine.check({ subject: 'usr_w', permission: 'nope.x', scope: 'org_1' }).code).toBe(
      'unknown_permission',
    );
    const d = engine.check({ subject: 'usr_w', permission: 'flows.write', scope: 'ws_b' });
    expect(d).toMatchObject({ allowed: false, code: 'no_grant' });
    expect(d.reason).toContain('flows.write');
  });

  it('C3 explains the group and inheritance path', () => {
    const e = engine.explain({
      subject: 'usr_g',
      permission: 'flows.read',
      scope: 'ws_b',
      environment: 'live',
    });
    expect(e.allowed).toBe(true);
    expect(e.grants).toEqual([
      {
        assignmentId: 'as_3',
        roleKey: 'writer',
        scopeId: 'ws_b',
        environment: 'live',
        viaGroup: 'grp_1',
        inherited: false,
      },
    ]);
    const inherited = engine.explain({
      subject: 'usr_w',
      permission: 'flows.read',
      scope: 'ws_a1',
    });
    expect(inherited.grants[0]).toMatchObject({ scopeId: 'ws_a', inherited: true, viaGroup: null });
  });

  it('C5 lists scopes with cursor pagination, complete across pages', () => {
    const p1 = engine.listScopes('usr_owner', 'flows.read', { limit: 3 });
    expect(p1.items.map((s) => s.id)).toEqual(['org_1', 'ws_a', 'ws_a1']);
    const p2 = engine.listScopes('usr_owner', 'flows.read', { limit: 3, cursor: p1.nextCursor });
    expect(p2.items.map((s) => s.id)).toEqual(['ws_b']);
    expect(p2.nextCursor).toBeNull();
  });

  it('R6 canAssign refuses escalation and reaching outside', () => {
    expect(engine.canAssign({ actor: 'usr_w', role: 'reader', scope: 'ws_a1' }).allowed).toBe(true);
    expect(engine.canAssign({ actor: 'usr_w', role: 'owner', scope: 'ws_a' }).code).toBe(
      'escalation',
    );
    expect(engine.canAssign({ actor: 'usr_w', role: 'reader', scope: 'ws_b' }).code).toBe(
      'cannot_assign',
    );
  });

  it('R6 a live grant plus a sandbox grant does not let an actor give a both-environments role', () => {
    // Regression (found by the R6 property test): canAssign with no environment accepted an actor
    // holding roles.assign and the role's permissions only through a live grant and a sandbox
    // grant. The new assignment would hold on checks without an environment too, where the actor
    // itself is denied (they count only both-environments grants): an escalation.
    const split = createEngine({
      ...snapshot,
      assignments: [
        ...snapshot.assignments,
        {
          id: 'as_5',
          subjectId: 'grp_1',
          roleKey: 'writer',
          scopeId: 'ws_b',
          environment: 'sandbox',
        },
      ],
    });
    // usr_g holds writer on ws_b in live and in sandbox, but not without an environment.
    expect(split.can('usr_g', 'flows.read', 'ws_b', 'live')).toBe(true);
    expect(split.can('usr_g', 'flows.read', 'ws_b', 'sandbox')).toBe(true);
    expect(split.can('usr_g', 'flows.read', 'ws_b')).toBe(false);
    expect(split.canAssign({ actor: 'usr_g', role: 'reader', scope: 'ws_b' })).toMatchObject({
      allowed: false,
      code: 'cannot_assign',
    });
    expect(
      split.canAssign({ actor: 'usr_g', role: 'reader', scope: 'ws_b', environment: null }).allowed,
    ).toBe(false);
    // Each environment on its own is still fine.
    for (const environment of ['live', 'sandbox'] as const) {
      expect(
        split.canAssign({ actor: 'usr_g', role: 'reader', scope: 'ws_b', environment }).allowed,
      ).toBe(true);
    }
  });

  it('M7 finds a missing owner', () => {
    expect(engine.invariantViolations()).toEqual([]);
    const without = createEngine({
      ...snapshot,
      assignments: snapshot.assignments.filter((a) => a.id !== 'as_1'),
    });
    expect(without.invariantViolations()[0]).toMatchObject({ roleKey: 'owner', holders: 0 });
  });
});

/**
 * T3 T5 issue 12: override slots, case by case (semantics in ./inheritance.ts), on the mini
 * preset with its `primary` slot made `override`: nearest wins, several at the nearest scope
 * unite, own and group assignments compete on equal terms, environments replace only where they
 * take part. Each row also holds for the reference evaluator.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import { snapshotFor } from './preset.js';
import { ReferenceEvaluator } from './reference/index.js';
import type { Assignment, Environment, GroupMembership, ScopeNode } from './snapshot.js';
import { miniPreset } from './testing/mini-preset.js';

const overriding = { ...miniPreset, inheritance: { primary: 'override' as const } };

const scopes: ScopeNode[] = [
  { id: 'org', parentId: null, kind: 'org', name: 'Org' },
  { id: 'ws', parentId: 'org', kind: 'ws', name: 'Workspace' },
  { id: 'team', parentId: 'ws', kind: 'ws', name: 'Team' },
];

type Held = [role: string, scope: string, env?: Environment | null, via?: 'group'];

/** An org where `usr` holds `held` (own, or through `grp`). */
function org(held: Held[]) {
  const assignments: Assignment[] = held.map(([roleKey, scopeId, env, via], i) => ({
    id: `a${i}`,
    subjectId: via ? 'grp' : 'usr',
    roleKey,
    scopeId,
    environment: env ?? null,
  }));
  const memberships: GroupMembership[] = [{ groupId: 'grp', memberId: 'usr' }];
  const snapshot = snapshotFor(overriding, {
    orgId: 'org',
    scopes,
    subjects: [
      { id: 'usr', type: 'user', active: true },
      { id: 'grp', type: 'group', active: true },
    ],
    memberships,
    assignments,
  });
  return { engine: createEngine(snapshot), ref: new ReferenceEvaluator(snapshot) };
}

const rows: Array<{
  name: string;
  held: Held[];
  scope: string;
  env?: Environment;
  can: { read: boolean; write: boolean };
}> = [
  {
    name: 'a nearer role narrows',
    held: [
      ['writer', 'org'],
      ['reader', 'ws'],
    ],
    scope: 'ws',
    can: { read: true, write: false },
  },
  {
    name: '"None" below the nearer role inherits it',
    held: [
      ['writer', 'org'],
      ['reader', 'ws'],
    ],
    scope: 'team',
    can: { read: true, write: false },
  },
  {
    name: 'a nearer role widens',
    held: [
      ['reader', 'org'],
      ['writer', 'ws'],
    ],
    scope: 'team',
    can: { read: true, write: true },
  },
  {
    name: 'the farther role still holds at its own scope',
    held: [
      ['writer', 'org'],
      ['reader', 'ws'],
    ],
    scope: 'org',
    can: { read: true, write: true },
  },
  {
    name: 'several at the nearest scope unite',
    held: [
      ['reader', 'org'],
      ['reader', 'ws'],
      ['writer', 'ws', null, 'group'],
    ],
    scope: 'ws',
    can: { read: true, write: true },
  },
  {
    name: "a group's nearer role overrides the subject's own farther one",
    held: [
      ['writer', 'org'],
      ['reader', 'ws', null, 'group'],
    ],
    scope: 'team',
    can: { read: true, write: false },
  },
  {
    name: "the subject's own nearer role overrides a group's farther one",
    held: [
      ['writer', 'org', null, 'group'],
      ['reader', 'team'],
    ],
    scope: 'team',
    can: { read: true, write: false },
  },
  {
    name: 'T5 a live-only nearer role replaces the farther one in live checks',
    held: [
      ['writer', 'org'],
      ['reader', 'ws', 'live'],
    ],
    scope: 'ws',
    env: 'live',
    can: { read: true, write: false },
  },
  {
    name: 'T5 … and not in sandbox checks',
    held: [
      ['writer', 'org'],
      ['reader', 'ws', 'live'],
    ],
    scope: 'ws',
    env: 'sandbox',
    can: { read: true, write: true },
  },
  {
    name: 'T5 … and a check without an environment (both) sees neither',
    held: [
      ['writer', 'org'],
      ['reader', 'ws', 'live'],
    ],
    scope: 'ws',
    can: { read: false, write: false },
  },
];

describe('T3 issue 12: override slots', () => {
  it.each(rows)('T3 $name', ({ held, scope, env, can }) => {
    const { engine, ref } = org(held);
    for (const [level, expected] of Object.entries(can)) {
      const permission = `flows.${level}`;
      expect(engine.can('usr', permission, scope, env), permission).toBe(expected);
      expect(ref.check('usr', permission, scope, env), `reference ${permission}`).toBe(expected);
    }
  });

  it('T3 additive (the default) stacks the same roles', () => {
    const snapshot = snapshotFor(miniPreset, {
      orgId: 'org',
      scopes,
      subjects: [{ id: 'usr', type: 'user', active: true }],
      assignments: [
        { id: 'a0', subjectId: 'usr', roleKey: 'writer', scopeId: 'org', environment: null },
        { id: 'a1', subjectId: 'usr', roleKey: 'reader', scopeId: 'ws', environment: null },
      ],
    });
    expect(createEngine(snapshot).can('usr', 'flows.write', 'ws')).toBe(true);
  });
});

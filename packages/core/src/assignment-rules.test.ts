/**
 * R5 `slotHoldersAbove`: the assignments a grant at a scope would end under a preset whose scoped
 * roles move the holder down (seed 002) — the subject's own, in the same exclusive slot, at
 * strict ancestors of the scope, environments overlapping; never at the scope, below it or
 * beside it.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, snapshotFor } from './index.js';
import type { Assignment } from './snapshot.js';
import { miniPreset } from './testing/mini-preset.js';

let seq = 0;
const at = (
  subjectId: string,
  roleKey: string,
  scopeId: string,
  environment: Assignment['environment'] = null,
): Assignment => ({ id: `as_${++seq}`, subjectId, roleKey, scopeId, environment });

const assignments = [
  at('usr_1', 'reader', 'org_1'),
  at('usr_1', 'writer', 'ws_a'),
  at('usr_1', 'reader', 'ws_b'),
  at('usr_2', 'writer', 'org_1', 'live'),
  at('usr_3', 'reader', 'org_1'),
];
const engine = createEngine(
  snapshotFor(miniPreset, {
    orgId: 'org_1',
    scopes: [
      { id: 'org_1', parentId: null, kind: 'org', name: 'Acme' },
      { id: 'ws_a', parentId: 'org_1', kind: 'ws', name: 'A' },
      { id: 'ws_a1', parentId: 'ws_a', kind: 'ws', name: 'A1' },
      { id: 'ws_b', parentId: 'org_1', kind: 'ws', name: 'B' },
    ],
    subjects: ['usr_1', 'usr_2', 'usr_3'].map((id) => ({ id, type: 'user', active: true })),
    assignments,
  }),
);
const ids = (found: Assignment[]) => found.map((a) => a.id).sort();
const [orgReader, wsAWriter, , usr2Live, usr3OrgReader] = assignments.map((a) => a.id);

describe('R5 slotHoldersAbove (what moving down ends)', () => {
  it('R5: every ancestor in the slot, nearest and farthest, the same role included', () => {
    const q = { subject: 'usr_1', scope: 'ws_a1' };
    expect(ids(engine.slotHoldersAbove({ ...q, role: 'reader' }))).toEqual(
      [orgReader, wsAWriter].sort(),
    );
    expect(ids(engine.slotHoldersAbove({ ...q, role: 'owner' }))).toEqual(
      [orgReader, wsAWriter].sort(),
    );
    expect(
      ids(engine.slotHoldersAbove({ subject: 'usr_3', role: 'reader', scope: 'ws_b' })),
    ).toEqual([usr3OrgReader]);
  });

  it('R5: nothing at the scope itself, beside it, below it, or at the root', () => {
    // ws_b's own reader is a slot conflict (slotConflicts), not a holder above.
    expect(engine.slotHoldersAbove({ subject: 'usr_1', role: 'writer', scope: 'ws_b' })).toEqual([
      expect.objectContaining({ id: orgReader }),
    ]);
    expect(engine.slotHoldersAbove({ subject: 'usr_1', role: 'writer', scope: 'org_1' })).toEqual(
      [],
    );
    expect(engine.slotHoldersAbove({ subject: 'usr_1', role: 'writer', scope: 'nope' })).toEqual(
      [],
    );
  });

  it('R5 T5: environments must overlap; both-environment grants overlap either', () => {
    const q = { subject: 'usr_2', role: 'reader', scope: 'ws_a' } as const;
    expect(ids(engine.slotHoldersAbove({ ...q, environment: 'live' }))).toEqual([usr2Live]);
    expect(ids(engine.slotHoldersAbove({ ...q, environment: null }))).toEqual([usr2Live]);
    expect(engine.slotHoldersAbove({ ...q, environment: 'sandbox' })).toEqual([]);
  });
});

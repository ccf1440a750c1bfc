/**
 * R6 / M7 generalized: what a change between two engines did to a subject (gains, lost grant
 * paths) and whether an actor outranks a subject.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import { grantGains, heldPermissions, lostGrants, missingPermissions, rankGap } from './index.js';
import { snapshotFor } from './preset.js';
import type { Assignment, GroupMembership, OrgSnapshot, SubjectInfo } from './snapshot.js';
import { miniPreset } from './testing/mini-preset.js';

const subjects: SubjectInfo[] = [
  { id: 'usr_owner', type: 'user', active: true },
  { id: 'usr_writer', type: 'user', active: true },
  { id: 'usr_reader', type: 'user', active: true },
  { id: 'grp_owners', type: 'group', active: true },
];
const assignments: Assignment[] = [
  { id: 'a1', subjectId: 'usr_owner', roleKey: 'owner', scopeId: 'org_1', environment: null },
  { id: 'a2', subjectId: 'usr_writer', roleKey: 'writer', scopeId: 'org_1', environment: null },
  { id: 'a3', subjectId: 'usr_reader', roleKey: 'reader', scopeId: 'ws_a', environment: null },
  { id: 'a4', subjectId: 'grp_owners', roleKey: 'owner', scopeId: 'ws_a', environment: 'live' },
];

function org(
  over: {
    subjects?: SubjectInfo[];
    assignments?: Assignment[];
    memberships?: GroupMembership[];
    extraScopes?: boolean;
  } = {},
): OrgSnapshot {
  return snapshotFor(miniPreset, {
    orgId: 'org_1',
    revision: 1,
    scopes: [
      { id: 'org_1', parentId: null, kind: 'org', name: 'Acme' },
      { id: 'ws_a', parentId: 'org_1', kind: 'ws', name: 'A' },
      ...(over.extraScopes ? [{ id: 'ws_new', parentId: 'ws_a', kind: 'ws', name: 'New' }] : []),
    ],
    subjects: over.subjects ?? subjects,
    assignments: over.assignments ?? assignments,
    memberships: over.memberships ?? [],
  });
}

describe('grant gains and lost grants between two engines (R6, M7 generalized)', () => {
  it('a group membership is a gain for the member where the group holds roles, per environment', () => {
    const before = createEngine(org());
    const after = createEngine(
      org({ memberships: [{ groupId: 'grp_owners', memberId: 'usr_reader' }] }),
    );
    const gains = grantGains(before, after, 'usr_reader');
    expect(gains.map((g) => [g.scopeId, g.environment])).toEqual([['ws_a', 'live']]);
    expect(gains[0]!.gained).toContain('roles.assign');
    expect(gains[0]!.gained).not.toContain('flows.read'); // held already
    expect(grantGains(before, after, 'usr_owner')).toEqual([]);
    // The writer holds roles.assign at the root, in every environment: it may make this change.
    expect(missingPermissions(before, 'usr_writer', 'ws_a', 'live', gains[0]!.gained)).toEqual(
      gains[0]!.gained.filter(
        (p) => !heldPermissions(before, 'usr_writer', 'ws_a', 'live').includes(p),
      ),
    );
  });

  it('a deactivation loses every path; a reactivation gains everything back', () => {
    const off = subjects.map((s) => (s.id === 'usr_writer' ? { ...s, active: false } : s));
    const on = createEngine(org());
    const deactivated = createEngine(org({ subjects: off }));
    expect(lostGrants(on, deactivated, 'usr_writer').map((l) => l.assignmentId)).toEqual(['a2']);
    expect(grantGains(on, deactivated, 'usr_writer')).toEqual([]);
    const back = grantGains(deactivated, on, 'usr_writer');
    expect(back.map((g) => g.scopeId)).toEqual(['org_1', 'org_1', 'org_1']);
  });

  it('removing a redundant path is still a lost grant (the subject was changed there)', () => {
    const memberships = [{ groupId: 'grp_owners', memberId: 'usr_owner' }];
    const before = createEngine(org({ memberships }));
    const after = createEngine(org());
    const lost = lostGrants(before, after, 'usr_owner');
    expect(lost).toEqual([
      {
        subject: 'usr_owner',
        assignmentId: 'a4',
        viaGroup: 'grp_owners',
        roleKey: 'owner',
        scopeId: 'ws_a',
        environment: 'live',
      },
    ]);
    expect(grantGains(before, after, 'usr_owner')).toEqual([]);
  });

  it('a grant at a new scope is measured against the nearest scope the old engine knew', () => {
    const before = createEngine(org());
    const after = createEngine(
      org({
        extraScopes: true,
        assignments: [
          ...assignments,
          {
            id: 'a5',
            subjectId: 'usr_reader',
            roleKey: 'writer',
            scopeId: 'ws_new',
            environment: null,
          },
        ],
      }),
    );
    const gains = grantGains(before, after, 'usr_reader');
    expect(gains.map((g) => [g.scopeId, g.baseScopeId, g.environment])).toContainEqual([
      'ws_new',
      'ws_a',
      null,
    ]);
    expect([...gains.find((g) => g.environment === null)!.gained].sort()).toEqual([
      'flows.write',
      'roles.assign',
    ]);
  });

  it('rankGap: the writer does not outrank the owner; the owner outranks everyone', () => {
    const e = createEngine(org());
    expect(rankGap(e, 'usr_writer', 'usr_owner')).toMatchObject({ scopeId: 'org_1' });
    expect(rankGap(e, 'usr_writer', 'usr_owner')!.missing).toContain('members.update');
    expect(rankGap(e, 'usr_owner', 'usr_writer')).toBeNull();
    expect(rankGap(e, 'usr_writer', 'usr_reader')).toBeNull();
    expect(rankGap(e, 'usr_reader', 'usr_writer')).not.toBeNull();
    // A live-only group Owner role at ws_a is above the writer there, in live.
    const withGroup = createEngine(
      org({ memberships: [{ groupId: 'grp_owners', memberId: 'usr_reader' }] }),
    );
    expect(rankGap(withGroup, 'usr_writer', 'usr_reader')).toMatchObject({
      scopeId: 'ws_a',
      environment: 'live',
    });
  });
});

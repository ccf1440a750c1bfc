/**
 * M7 seed 004 ("each user must be an Owner of at least one organization"): who owns one org, and
 * who a change made stop owning it or join it without owning it. The cross-org rule built on it
 * is proven in packages/domain/src/orgs/every-user-owns-an-org.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import { requiredRoleHolders } from './invariants.js';
import { holdsRoleAtRoot, ownershipChange } from './ownership.js';
import { snapshotFor } from './preset.js';
import { identityPlatformPreset } from './presets/identity-platform.js';
import type { Assignment, GroupMembership, SubjectInfo } from './snapshot.js';
import { org as randomOrg } from './testing/random-org.js';

const ROOT = 'org_1';
const SUB = 'sub_eu';
const user = (id: string, active = true): SubjectInfo => ({ id, type: 'user', active });
const group = (id: string, limitedTo: string[] | null = null): SubjectInfo => ({
  id,
  type: 'group',
  active: true,
  limitedTo,
});
let seq = 0;
const grant = (subjectId: string, roleKey: string, scopeId = ROOT): Assignment => ({
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
    snapshotFor(identityPlatformPreset, {
      orgId: ROOT,
      scopes: [
        { id: ROOT, parentId: null, kind: 'organization', name: 'Acme' },
        { id: SUB, parentId: ROOT, kind: 'sub_organization', name: 'EU' },
      ],
      subjects,
      memberships,
      assignments,
    }),
  );
}

describe('M7 seed 004: holdsRoleAtRoot', () => {
  it.each([
    {
      what: 'own Owner at the root',
      owns: true,
      subjects: [user('usr_a')],
      grants: [grant('usr_a', 'owner')],
    },
    {
      what: 'Member at the root',
      owns: false,
      subjects: [user('usr_a')],
      grants: [grant('usr_a', 'member')],
    },
    {
      what: 'Owner of a sub-organization only',
      owns: false,
      subjects: [user('usr_a')],
      grants: [grant('usr_a', 'owner', SUB)],
    },
    {
      what: 'a deactivated Owner',
      owns: false,
      subjects: [user('usr_a', false)],
      grants: [grant('usr_a', 'owner')],
    },
    {
      what: 'Owner through a group',
      owns: true,
      subjects: [user('usr_a'), group('grp_o')],
      grants: [grant('grp_o', 'owner')],
      members: [{ groupId: 'grp_o', memberId: 'usr_a' }],
    },
    {
      what: 'Owner through a group limited away from the root',
      owns: false,
      subjects: [user('usr_a'), group('grp_o', [SUB])],
      grants: [grant('grp_o', 'owner')],
      members: [{ groupId: 'grp_o', memberId: 'usr_a' }],
    },
    { what: 'unknown subject', owns: false, subjects: [], grants: [] },
  ])('seed 004: $what → $owns', ({ owns, subjects, grants, members }) => {
    expect(holdsRoleAtRoot(org(subjects, grants, members), 'usr_a', 'owner')).toBe(owns);
  });

  it('seed 004: agrees with requiredRoleHolders on random organizations, for every role', () => {
    fc.assert(
      fc.property(randomOrg, (snapshot) => {
        const engine = createEngine(snapshot);
        for (const role of snapshot.roles) {
          const holders = new Set(requiredRoleHolders(snapshot, role.key));
          for (const s of snapshot.subjects) {
            expect(holdsRoleAtRoot(engine, s.id, role.key), `${s.id} ${role.key}`).toBe(
              holders.has(s.id),
            );
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('M7 seed 004: ownershipChange', () => {
  const subjects = [user('usr_a'), user('usr_b'), group('grp_o')];
  const base = [grant('usr_a', 'owner'), grant('usr_b', 'member'), grant('grp_o', 'owner')];
  const before = org(subjects, base);

  it.each([
    {
      what: 'demoted',
      after: org(subjects, [grant('usr_a', 'member'), ...base.slice(1)]),
      lost: ['usr_a'],
    },
    { what: 'removed', after: org(subjects.slice(1), base.slice(1)), lost: ['usr_a'] },
    {
      what: 'deactivated',
      after: org([user('usr_a', false), ...subjects.slice(1)], base),
      lost: ['usr_a'],
    },
    {
      what: 'made Owner of a sub-organization instead',
      after: org(subjects, [grant('usr_a', 'owner', SUB), ...base.slice(1)]),
      lost: ['usr_a'],
    },
  ])('seed 004: an Owner $what is lost', ({ after, lost }) => {
    expect(ownershipChange(before, after, 'owner', new Set(['usr_a']))).toEqual({
      lost,
      joinedWithout: [],
    });
    expect(ownershipChange(before, after, 'owner', null).lost).toEqual(lost);
  });

  it('seed 004: leaving an Owner group is a loss; joining one is not a loss', () => {
    const inGroup = org(subjects, base, [{ groupId: 'grp_o', memberId: 'usr_b' }]);
    expect(ownershipChange(inGroup, before, 'owner', new Set(['grp_o'])).lost).toEqual(['usr_b']);
    expect(ownershipChange(before, inGroup, 'owner', new Set(['grp_o']))).toEqual({
      lost: [],
      joinedWithout: [],
    });
  });

  it('seed 004: joining without the owner role is listed, joining as Owner is not', () => {
    const joined = org(
      [...subjects, user('usr_c'), user('usr_d')],
      [...base, grant('usr_c', 'member'), grant('usr_d', 'owner')],
    );
    const affected = new Set(['usr_c', 'usr_d']);
    expect(ownershipChange(before, joined, 'owner', affected)).toEqual({
      lost: [],
      joinedWithout: ['usr_c'],
    });
    expect(ownershipChange(before, joined, 'owner', null).joinedWithout).toEqual(['usr_c']);
    // Reactivated without owning the org: joins again.
    const off = org([...subjects, user('usr_c', false)], [...base, grant('usr_c', 'member')]);
    const on = org([...subjects, user('usr_c')], [...base, grant('usr_c', 'member')]);
    expect(ownershipChange(off, on, 'owner', new Set(['usr_c'])).joinedWithout).toEqual(['usr_c']);
    // A role change of an existing member is no join.
    const promoted = org(subjects, [base[0]!, grant('usr_b', 'workflows_read'), base[2]!]);
    expect(ownershipChange(before, promoted, 'owner', new Set(['usr_b'])).joinedWithout).toEqual(
      [],
    );
  });
});

/**
 * The writes `bench:derive` times: one of each kind a member page makes, as a patched snapshot
 * with its `affected` set (what the journal catch-up hands `deriveEngine`) and as the same write
 * on node-casbin's incrementally writable formulation (`domain-fn+g-only`). Shared with
 * bench.test.ts, which checks on the small org that both sides answer alike after each write.
 */
import type { Assignment, OrgSnapshot, SnapshotPatch, SubjectInfo } from '@gatehouse/core';
import type { Enforcer } from 'casbin';
import type { Rng } from './prng.js';

/** One write, both ways. */
export interface Write {
  readonly name: string;
  readonly snapshot: OrgSnapshot;
  readonly affected: ReadonlySet<string>;
  /** The same write as the journal catch-up tells it (`patchSnapshot`): changed keys and rows. */
  readonly patch: SnapshotPatch;
  /** The subject whose answers the write changes (compared with casbin after it). */
  readonly subject: string;
  readonly scope: string;
  /** The same write on casbin's `domain-fn+g-only` enforcer. */
  readonly casbin: (e: Enforcer, root: string) => Promise<unknown>;
}

/** One write of each kind a member page makes, on `s`. */
export function writes(s: OrgSnapshot, rng: Rng, n: number): Write[] {
  // Active members: casbin has no inactive subjects (the translation leaves their lines out).
  const users = s.subjects.filter((x) => x.type === 'user' && x.active);
  const groups = s.subjects.filter((x) => x.type === 'group');
  // Each write its own member, so the casbin comparison sees each write alone.
  const [user, off, joiner, changer] = [0, 1, 2, 3].map(() => users[rng.int(users.length)]!) as [
    SubjectInfo,
    SubjectInfo,
    SubjectInfo,
    SubjectInfo,
  ];
  const mine = s.assignments.find((a) => a.subjectId === changer.id);
  const scope = s.scopes[1 + rng.int(s.scopes.length - 1)]!.id;
  const group = groups[rng.int(groups.length)]!.id;
  const revision = s.revision + 1;
  const assigned: Assignment = {
    id: `as_new_${n}`,
    subjectId: user.id,
    roleKey: 'workflows_write',
    scopeId: scope,
    environment: null,
  };
  const deactivated: SubjectInfo = { ...off, active: false };
  const joined = { groupId: group, memberId: joiner.id };
  const invited: SubjectInfo = { id: `usr_new_${n}`, type: 'user', active: true };
  const invitedRole: Assignment = {
    id: `as_inv_${n}`,
    subjectId: `usr_new_${n}`,
    roleKey: 'member',
    scopeId: scope,
    environment: null,
  };
  const rows = <T>(keys: string[], list: T[]) => ({ keys, rows: list });
  const out: Write[] = [
    {
      name: 'assign a role',
      snapshot: {
        ...s,
        revision,
        assignments: [...s.assignments, assigned],
      },
      affected: new Set([user.id]),
      patch: { revision, assignments: rows([assigned.id], [assigned]) },
      subject: user.id,
      scope,
      casbin: (e) => e.addGroupingPolicy(user.id, 'workflows_write', scope),
    },
    {
      name: 'deactivate a member',
      snapshot: {
        ...s,
        revision,
        subjects: [...s.subjects.filter((x) => x !== off), deactivated],
      },
      affected: new Set([off.id]),
      patch: { revision, subjects: rows([off.id], [deactivated]) },
      subject: off.id,
      scope,
      // casbin has no inactive subjects: deactivating removes every line of the subject.
      casbin: (e) => e.removeFilteredGroupingPolicy(0, off.id),
    },
    {
      name: 'add to a group',
      snapshot: {
        ...s,
        revision,
        memberships: [...s.memberships, joined],
      },
      // Both sides of a membership; the group's grants did not change, so its other members
      // are not rebuilt.
      affected: new Set([joiner.id, group]),
      patch: { revision, memberships: { keys: [joined], rows: [joined] } },
      subject: joiner.id,
      scope,
      casbin: (e, root) => e.addGroupingPolicy(joiner.id, group, root),
    },
    {
      // A new id: the subject-id map is copied too.
      name: 'invite a member',
      snapshot: {
        ...s,
        revision,
        subjects: [...s.subjects, invited],
        assignments: [...s.assignments, invitedRole],
      },
      affected: new Set([`usr_new_${n}`]),
      patch: {
        revision,
        subjects: rows([invited.id], [invited]),
        assignments: rows([invitedRole.id], [invitedRole]),
      },
      subject: `usr_new_${n}`,
      scope,
      casbin: (e) => e.addGroupingPolicy(`usr_new_${n}`, 'member', scope),
    },
  ];
  if (mine) {
    const edited: Assignment = { ...mine, roleKey: 'workflows_read' };
    out.push({
      name: "change a member's role",
      snapshot: {
        ...s,
        revision,
        assignments: [...s.assignments.filter((a) => a !== mine), edited],
      },
      affected: new Set([changer.id]),
      patch: { revision, assignments: rows([mine.id], [edited]) },
      subject: changer.id,
      scope: mine.scopeId,
      casbin: async (e) => {
        const env = mine.environment;
        await e.removeGroupingPolicy(
          changer.id,
          env ? `${mine.roleKey}@${env}` : mine.roleKey,
          mine.scopeId,
        );
        await e.addGroupingPolicy(
          changer.id,
          env ? `workflows_read@${env}` : 'workflows_read',
          mine.scopeId,
        );
      },
    });
  }
  return out;
}

/** The permissions `subject` holds at `scope` (no environment) per casbin, from the same list. */
export function casbinHeld(
  e: Enforcer,
  subject: string,
  scope: string,
  perms: readonly string[],
): string[] {
  return perms.filter((p) => e.enforceSync(subject, scope, p, ''));
}

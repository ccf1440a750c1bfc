/**
 * Issue 15 group commit: concurrent writes on one org share one transaction and one revision;
 * each write is isolated in its savepoint (a failing one changes nothing and gets its own error),
 * the audit chain and the outbox carry the batch revision, readers asking for that revision see
 * every write of the batch. On PGlite and PostgreSQL.
 */
import type {
  Assignment,
  GroupMembership,
  OrgSnapshot,
  ScopeNode,
  SubjectInfo,
} from '@gatehouse/core';
import { type Gatedb, sql } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from './audit/index.js';
import type { Caller } from './context.js';
import { journalRows } from './engine/index.js';
import { groupCommitStats } from './group-commit.js';
import { addMember, createOrg, removeMember, setMemberRoles } from './index.js';
import { createScimToken, provisionDirectoryUser } from './scim/index.js';
import { createServices, type Services } from './services.js';

/** A snapshot with its lists in a fixed order, for comparing two engines. */
function canonical(snap: OrgSnapshot) {
  const by =
    <T>(key: (x: T) => string) =>
    (a: T, b: T) =>
      key(a) < key(b) ? -1 : 1;
  return {
    revision: snap.revision,
    scopes: [...snap.scopes].sort(by<ScopeNode>((x) => x.id)),
    subjects: [...snap.subjects]
      .map((x) => ({ ...x, limitedTo: x.limitedTo ?? null }))
      .sort(by<SubjectInfo & { limitedTo: unknown }>((x) => `${x.type} ${x.id}`)),
    memberships: [...snap.memberships].sort(
      by<GroupMembership>((x) => `${x.groupId} ${x.memberId}`),
    ),
    assignments: [...snap.assignments].sort(by<Assignment>((x) => x.id)),
    roles: [...snap.roles].sort(by<{ key: string }>((x) => x.key)),
  };
}

const admin: Caller = { principal: { kind: 'instance_admin' }, source: 'api', requestId: 'gc' };

describe.each(testBackends())('issue 15 group commit on $name', (backend) => {
  let g: Gatedb;
  let s: Services;
  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db);
  });
  afterAll(async () => {
    await g?.close();
  });

  /** An org with two Owners and a SCIM token; returns the ids. */
  async function setup(name: string) {
    const { result: org } = await createOrg(
      { services: s, caller: admin },
      { name, preset: 'flowcode', owner: { email: `owner1@${name}.example` } },
    );
    const call = { services: s, caller: admin, orgId: org.id };
    const engine = await s.engines.get(org.id);
    const owner1 = engine.snapshot.subjects.find((x) => x.type === 'user')!.id;
    const { result: o2 } = await addMember(call, {
      email: `owner2@${name}.example`,
      roles: [{ role: 'org_admin' }],
    });
    const { result: issued } = await createScimToken(call, { name: 'IdP' });
    const scim: Caller = {
      principal: { kind: 'scim', orgId: org.id, tokenId: issued.scimToken.id },
      source: 'scim',
    };
    return { orgId: org.id, call, owner1, owner2: o2.userId, scim };
  }

  const doc = (name: string, n: number) => ({
    userName: `u${n}@${name}.example`,
    externalId: `ext-${n}`,
    email: `u${n}@${name}.example`,
    name: `User ${n}`,
    active: true,
    doc: { userName: `u${n}@${name}.example` },
  });

  it('isolates each write of one batch: failures change nothing, the rest commit at one revision', async () => {
    const t = await setup('gc-iso');
    const scimCall = { services: s, caller: t.scim, orgId: t.orgId };
    await provisionDirectoryUser(scimCall, doc('gc-iso', 0));
    const before = { ...groupCommitStats };
    const revBefore = (await s.engines.get(t.orgId)).revision;
    const auditBefore = await g.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', t.orgId)
      .executeTakeFirstOrThrow();
    // All issued in one tick: the first leads, the others queue behind it.
    const settled = await Promise.allSettled([
      provisionDirectoryUser(scimCall, doc('gc-iso', 1)),
      provisionDirectoryUser(scimCall, { ...doc('gc-iso', 0), externalId: 'ext-dup' }),
      setMemberRoles(t.call, { userId: t.owner1, roles: [{ role: 'org_user' }] }),
      // With owner1 demoted just before in the batch, owner2 is the last Owner.
      setMemberRoles(t.call, { userId: t.owner2, roles: [{ role: 'org_user' }] }),
      removeMember(t.call, { userId: t.owner2 }),
      provisionDirectoryUser(scimCall, doc('gc-iso', 2)),
      provisionDirectoryUser(scimCall, doc('gc-iso', 3)),
    ]);
    expect(groupCommitStats.batches - before.batches).toBe(1);
    expect(groupCommitStats.writes - before.writes).toBe(7);
    // The optimistic pass (no savepoints) met the duplicate and ran again with savepoints.
    expect(groupCommitStats.replays - before.replays).toBe(1);
    const [u1, dup, demote1, demote2, remove2, u2, u3] = settled;
    expect(dup).toMatchObject({ status: 'rejected', reason: { code: 'CONFLICT' } });
    expect(demote2).toMatchObject({ status: 'rejected', reason: { code: 'INVARIANT' } });
    expect(remove2).toMatchObject({ status: 'rejected', reason: { code: 'INVARIANT' } });
    const ok = [u1, demote1, u2, u3].map((r) => {
      expect(r.status).toBe('fulfilled');
      return (r as PromiseFulfilledResult<{ revision: number; result: unknown }>).value;
    });
    const revision = revBefore + 1;
    for (const r of ok) expect(r.revision).toBe(revision);

    // What committed: the three users, owner1 a viewer, owner2 still the Owner, one user u0.
    const engine = await s.engines.get(t.orgId, revision);
    expect(engine.revision).toBe(revision);
    const users = await g.db
      .selectFrom('members')
      .select('scim_user_name')
      .where('org_id', '=', t.orgId)
      .where('scim_user_name', 'is not', null)
      .execute();
    expect(users.map((u) => u.scim_user_name).sort()).toEqual(
      [0, 1, 2, 3].map((n) => `u${n}@gc-iso.example`),
    );
    const roleOf = (id: string) =>
      engine.snapshot.assignments.filter((a) => a.subjectId === id).map((a) => a.roleKey);
    expect(roleOf(t.owner1)).toEqual(['org_user']);
    expect(roleOf(t.owner2)).toEqual(['org_admin']);
    for (const r of [u1, u2, u3]) {
      const id = (r as PromiseFulfilledResult<{ result: { userId: string } }>).value.result.userId;
      expect(engine.snapshot.subjects.some((x) => x.id === id)).toBe(true);
    }

    // Audit entries and outbox events of the batch: all at its revision, none of the failures.
    const audits = await g.db
      .selectFrom('audit_log')
      .select(['seq', 'revision', 'action', 'entity_id', 'actor_id', 'actor_label'])
      .where('org_id', '=', t.orgId)
      .where('seq', '>', Number(auditBefore.n))
      .orderBy('seq')
      .execute();
    expect(audits.length).toBeGreaterThanOrEqual(4);
    for (const a of audits) expect(Number(a.revision)).toBe(revision);
    expect(audits.some((a) => a.entity_id === t.owner2)).toBe(false);
    // Each entry names its own caller, not the leader's: the admin's demotion has no label.
    const labels = new Map(audits.map((a) => [a.entity_id, a.actor_label]));
    const byAdmin = audits.filter((a) => a.actor_id === 'instance_admin');
    expect(byAdmin.length).toBeGreaterThan(0);
    for (const a of byAdmin) expect(a.actor_label).toBeNull();
    for (const r of [u1, u2, u3]) {
      const id = (r as PromiseFulfilledResult<{ result: { userId: string } }>).value.result.userId;
      expect(labels.get(id)).toBe('SCIM: IdP');
    }
    const events = await g.db
      .selectFrom('outbox')
      .select(['revision', 'payload'])
      .where('org_id', '=', t.orgId)
      .where('revision', '>=', revision)
      .execute();
    expect(events.length).toBeGreaterThanOrEqual(4);
    for (const e of events) {
      expect(Number(e.revision)).toBe(revision);
      expect(JSON.stringify(e.payload)).not.toContain(t.owner2);
    }
    const org = await g.db
      .selectFrom('orgs')
      .select(['revision', 'audit_seq'])
      .where('id', '=', t.orgId)
      .executeTakeFirstOrThrow();
    expect(Number(org.revision)).toBe(revision);
    expect(Number(org.audit_seq)).toBe(Number(auditBefore.n) + audits.length);
    const chain = await verifyAuditChain({ services: s, caller: admin, orgId: t.orgId });
    expect(chain.ok).toBe(true);
    // The engine derived write after write through the batch equals a full load.
    const full = await createServices(g.db).engines.get(t.orgId, revision);
    expect(canonical(engine.snapshot)).toEqual(canonical(full.snapshot));
  });

  it('a SCIM write batched behind an admin write is audited with its own token name', async () => {
    const t = await setup('gc-label');
    const before = { ...groupCommitStats };
    const [, p] = await Promise.all([
      setMemberRoles(t.call, { userId: t.owner1, roles: [{ role: 'org_user' }] }),
      provisionDirectoryUser({ services: s, caller: t.scim, orgId: t.orgId }, doc('gc-label', 1)),
    ]);
    expect(groupCommitStats.batches - before.batches).toBe(1);
    const rows = await g.db
      .selectFrom('audit_log')
      .select(['entity_id', 'actor_label', 'actor_id'])
      .where('org_id', '=', t.orgId)
      .where('revision', '=', p.revision)
      .execute();
    const mine = rows.filter((r) => r.entity_id === p.result.userId);
    expect(mine.length).toBeGreaterThan(0);
    for (const r of mine) expect(r.actor_label).toBe('SCIM: IdP');
    const byAdmin = rows.filter((r) => r.actor_id === 'instance_admin');
    expect(byAdmin.length).toBeGreaterThan(0);
    for (const r of byAdmin) expect(r.actor_label).toBeNull();
  });

  it('read-your-writes: another process asking for the batch revision sees every write', async () => {
    const t = await setup('gc-ryw');
    const scimCall = { services: s, caller: t.scim, orgId: t.orgId };
    await provisionDirectoryUser(scimCall, doc('gc-ryw', 0));
    const before = { ...groupCommitStats };
    const written = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((n) => provisionDirectoryUser(scimCall, doc('gc-ryw', n))),
    );
    expect(groupCommitStats.batches - before.batches).toBe(1);
    const revision = written[0]!.revision;
    for (const w of written) expect(w.revision).toBe(revision);
    // A second services object is another process: its cache heard of nothing.
    const other = createServices(g.db);
    const seen = await other.engines.get(t.orgId, revision);
    for (const w of written) {
      expect(seen.snapshot.subjects.some((x) => x.id === w.result.userId)).toBe(true);
    }
    // And this process's cached engine (offered after commit) has them too.
    const mine = await s.engines.get(t.orgId, revision);
    expect(mine.snapshot.subjects.filter((x) => x.type === 'user')).toHaveLength(
      seen.snapshot.subjects.filter((x) => x.type === 'user').length,
    );
  });

  it("a later write of a batch catches up its own journal entries, not the earlier writes' again", async () => {
    const t = await setup('gc-mark');
    const scimCall = { services: s, caller: t.scim, orgId: t.orgId };
    await provisionDirectoryUser(scimCall, doc('gc-mark', 0));
    const written = await Promise.all(
      [1, 2, 3].map((n) => provisionDirectoryUser(scimCall, doc('gc-mark', n))),
    );
    const revision = written[0]!.revision;
    for (const w of written) expect(w.revision).toBe(revision);
    const ids = written.map((w) => w.result.userId);
    // The batch journaled its writes in order: each write's entries after the one before's.
    const { rows } = await sql<{ key: string; seq: string }>`
      select key, seq from snapshot_changes
       where org_id = ${t.orgId} and revision = ${revision} and entity = 'member'
       order by seq`.execute(g.db);
    const lastSeq = (id: string) =>
      Math.max(...rows.filter((r) => r.key === id).map((r) => Number(r.seq)));
    const firstSeq = (id: string) =>
      Math.min(...rows.filter((r) => r.key === id).map((r) => Number(r.seq)));
    expect(lastSeq(ids[0]!)).toBeLessThan(firstSeq(ids[1]!));
    expect(lastSeq(ids[1]!)).toBeLessThan(firstSeq(ids[2]!));
    const members = (j: { changes: { entity: string; key: string }[] }) =>
      j.changes
        .filter((c) => c.entity === 'member')
        .map((c) => c.key)
        .sort();
    // Without a mark: every write of the revision; after the first write's mark: the others';
    // the mark returned is the last entry read.
    const all = await journalRows(g.db, t.orgId, revision, 1000);
    expect(members(all)).toEqual([...ids].sort());
    const rest = await journalRows(g.db, t.orgId, revision, 1000, lastSeq(ids[0]!));
    expect(members(rest)).toEqual([ids[1]!, ids[2]!].sort());
    expect(rest.rows.member?.map((m) => m.id).sort()).toEqual([ids[1]!, ids[2]!].sort());
    expect(rest.mark).toBe(all.mark);
    const none = await journalRows(g.db, t.orgId, revision, 1000, all.mark);
    expect(none).toMatchObject({ changes: [], mark: undefined });
    // The engine the batch left, derived write after write from those marks, equals a full load.
    const mine = await s.engines.get(t.orgId, revision);
    const full = await createServices(g.db).engines.get(t.orgId, revision);
    expect(canonical(mine.snapshot)).toEqual(canonical(full.snapshot));
  });

  it('with groupCommit off, the same writes take one revision each', async () => {
    const off = createServices(g.db, { groupCommit: false });
    const t = await setup('gc-off');
    const scimCall = { services: off, caller: t.scim, orgId: t.orgId };
    const before = { ...groupCommitStats };
    const written = await Promise.all(
      [1, 2, 3].map((n) => provisionDirectoryUser(scimCall, doc('gc-off', n))),
    );
    expect(groupCommitStats.batches).toBe(before.batches);
    expect(new Set(written.map((w) => w.revision)).size).toBe(3);
  });
});

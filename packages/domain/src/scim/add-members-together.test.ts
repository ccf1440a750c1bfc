/**
 * Issue 15, S3: SCIM group PATCHes that only add members, queued together, run as one set-based
 * step (./add-members-together.ts). Differential: the same PATCHes are sent to one org one by one
 * and to a twin org all at once, and everything they leave must be equal up to fresh ids and
 * clock readings: each caller's answer, the audit entries (with each caller's request id, in
 * order), the outbox events, the membership rows, the engine (against a full load). Runs it
 * cannot take (two PATCHes of one group, a missing group, a stale If-Match, ids that are not
 * users) fall back to one by one, and each caller gets the answer it gets alone. On PGlite and
 * PostgreSQL.
 */
import { type Gatedb, sql } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../audit/index.js';
import type { OrgCall } from '../call.js';
import type { Caller } from '../context.js';
import { groupCommitStats } from '../group-commit.js';
import { createOrg } from '../index.js';
import { createServices, type Services } from '../services.js';
import {
  changeDirectoryGroup,
  createDirectoryGroup,
  createScimToken,
  type GroupChange,
  loadDirectoryGroup,
  provisionDirectoryUser,
} from './index.js';

const admin: Caller = { principal: { kind: 'instance_admin' }, source: 'api', requestId: 'set' };

/** `value` as JSON with ids numbered in order of appearance, the org as ORG, clock readings T. */
function normalizer(orgId: string) {
  const seen = new Map<string, string>();
  return (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value)
        .replaceAll(orgId, 'ORG')
        .replace(/\b(usr|asg|scp|grp|org|sct)_[0-9a-z]{16,}\b/g, (id, kind: string) => {
          if (!seen.has(id)) seen.set(id, `${kind}#${seen.size}`);
          return seen.get(id)!;
        })
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'T')
        .replace(/"version":"[^"]*"/g, '"version":"v"'),
    );
}

describe.each(testBackends())(
  'SCIM group PATCHes adding members run set-based on $name (issue 15, S3)',
  (backend) => {
    let g: Gatedb;
    let s: Services;
    beforeAll(async () => {
      g = await backend.open();
      s = createServices(g.db);
    });
    afterAll(async () => {
      await g?.close();
    });

    /** An org with 12 directory users and 5 directory groups (users 0–1 in group 0 already). */
    async function setup(name: string) {
      const { result: org } = await createOrg(
        { services: s, caller: admin },
        { name, preset: 'flowcode', owner: { email: `owner@${name}.example` } },
      );
      const { result: issued } = await createScimToken(
        { services: s, caller: admin, orgId: org.id },
        { name: 'IdP' },
      );
      const scim = (requestId: string): OrgCall => ({
        services: s,
        orgId: org.id,
        caller: {
          principal: { kind: 'scim', orgId: org.id, tokenId: issued.scimToken.id },
          source: 'scim',
          requestId,
        },
      });
      const users: string[] = [];
      for (let n = 0; n < 12; n++) {
        const { result } = await provisionDirectoryUser(scim(`u${n}`), {
          userName: `u${n}@${name}.example`,
          externalId: `ext-${n}`,
          email: `u${n}@${name}.example`,
          name: null,
          active: true,
          doc: { n },
        });
        users.push(result.userId);
      }
      const groups: string[] = [];
      for (let n = 0; n < 5; n++) {
        const { result } = await createDirectoryGroup(scim(`g${n}`), {
          displayName: `Group ${n}`,
          externalId: `gext-${n}`,
          userIds: n === 0 ? users.slice(0, 2) : [],
        });
        groups.push(result.groupId);
      }
      const row = await g.db
        .selectFrom('orgs')
        .select('audit_seq')
        .where('id', '=', org.id)
        .executeTakeFirstOrThrow();
      const outbox = await g.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirstOrThrow();
      return {
        orgId: org.id,
        scim,
        users,
        groups,
        seq: Number(row.audit_seq),
        outboxId: Number(outbox.id ?? 0),
      };
    }

    type Org = Awaited<ReturnType<typeof setup>>;

    /** What a run of PATCHes left in the org since `setup`, normalized. */
    async function leftBehind(t: Org, results: unknown[]) {
      const audits = await g.db
        .selectFrom('audit_log')
        .select(['actor_label', 'action', 'entity_type', 'entity_id', 'scope_id', 'after'])
        .select(['source', 'request_id'])
        .where('org_id', '=', t.orgId)
        .where('seq', '>', t.seq)
        .orderBy('seq')
        .execute();
      const events = await g.db
        .selectFrom('outbox')
        .select(['type', 'payload'])
        .where('org_id', '=', t.orgId)
        .where('id', '>', t.outboxId)
        .orderBy('id')
        .execute()
        // The revision moved differently (one per write, or one for all): taken out.
        .then((rows) =>
          rows.map((e) => ({
            ...e,
            payload: { ...(e.payload as Record<string, unknown>), revision: 0 },
          })),
        );
      // Groups and users by their setup order, so both orgs' rows sort alike.
      const { rows: memberships } = await sql<{ g: number; u: number }>`
        select array_position(${t.groups}::text[], group_id) as g,
               array_position(${t.users}::text[], member_id) as u
          from group_members where org_id = ${t.orgId} order by 1, 2`.execute(g.db);
      const engine = await s.engines.get(t.orgId);
      const full = await createServices(g.db).engines.get(t.orgId, engine.revision);
      const pairs = (e: typeof engine) =>
        e.snapshot.memberships.map((m) => `${m.groupId} ${m.memberId}`).sort();
      expect(pairs(engine)).toEqual(pairs(full));
      const norm = normalizer(t.orgId);
      norm({ users: t.users, groups: t.groups }); // numbers the ids in setup order
      return { ...(norm({ results, audits, events }) as object), memberships };
    }

    /** The groups' SCIM versions, in setup order. */
    async function versionsOf(t: Org): Promise<string[]> {
      const out: string[] = [];
      for (const id of t.groups) out.push((await loadDirectoryGroup(g.db, t.orgId, id))!.version);
      return out;
    }

    const add = (userIds: string[]): GroupChange[] => [{ kind: 'addMembers', userIds }];
    /** The PATCHes of the differential: by group and user index (user 1 of group 0 is in). */
    const plan: [number, number[]][] = [
      [0, [1, 2, 3, 2]],
      [1, [4, 5, 6, 7, 8]],
      [2, []],
      [3, [11, 0]],
      [4, [9, 10, 0, 1]],
    ];

    it('PATCHes queued together leave exactly what they leave one by one', async () => {
      const alone = await setup('alone');
      const together = await setup('together');
      const aloneResults = [];
      for (const [n, [gi, ui]] of plan.entries()) {
        const { result } = await changeDirectoryGroup(alone.scim(`p${n}`), {
          groupId: alone.groups[gi]!,
          changes: add(ui.map((u) => alone.users[u]!)),
        });
        aloneResults.push(result);
      }
      const versionsBefore = await versionsOf(together);
      const before = { ...groupCommitStats };
      // All issued in one tick: one batch, one set-based step.
      const written = await Promise.all(
        plan.map(([gi, ui], n) =>
          changeDirectoryGroup(together.scim(`p${n}`), {
            groupId: together.groups[gi]!,
            changes: add(ui.map((u) => together.users[u]!)),
          }),
        ),
      );
      expect(groupCommitStats.batches - before.batches).toBe(1);
      expect(groupCommitStats.batched - before.batched).toBe(written.length);
      expect(groupCommitStats.replays - before.replays).toBe(0);
      for (const w of written) expect(w.revision).toBe(written[0]!.revision);
      // Every group's version moved, as it does alone, and the answers say where to.
      const versionsAfter = await versionsOf(together);
      for (const [n, [gi]] of plan.entries()) {
        expect(versionsAfter[gi]).not.toBe(versionsBefore[gi]);
        expect(written[n]!.result.version).toBe(versionsAfter[gi]);
      }
      const a = await leftBehind(alone, aloneResults);
      const b = await leftBehind(
        together,
        written.map((w) => w.result),
      );
      expect(b).toEqual(a);
      expect((b as unknown as { memberships: unknown[] }).memberships).toHaveLength(
        4 + 5 + 0 + 2 + 4,
      );
      const chain = await verifyAuditChain({ services: s, caller: admin, orgId: together.orgId });
      expect(chain.ok).toBe(true);
    });

    it('runs it cannot take fall back to one by one: each caller gets the answer it gets alone', async () => {
      const t = await setup('fallback');
      const other = await setup('other');
      const { result: g0 } = await changeDirectoryGroup(t.scim('v'), {
        groupId: t.groups[0]!,
        changes: add([]),
      });
      const patch = (n: number, gi: number, ids: string[], ifVersion?: string) =>
        changeDirectoryGroup(t.scim(`${n}`), {
          groupId: gi < 0 ? 'grp_00000000000000000000000000' : t.groups[gi]!,
          changes: add(ids),
          ifVersion,
        });
      const cases: [string, () => Promise<unknown>[], unknown[]][] = [
        [
          'two PATCHes of one group',
          () => [patch(0, 1, [t.users[2]!]), patch(1, 1, [t.users[3]!, t.users[2]!])],
          ['ok', 'ok'],
        ],
        [
          'a missing group',
          () => [patch(0, 2, [t.users[2]!]), patch(1, -1, [t.users[3]!])],
          ['ok', 'NOT_FOUND'],
        ],
        [
          'a stale If-Match',
          () => [patch(0, 0, [t.users[5]!], g0.version), patch(1, 3, [t.users[5]!], 'W/"1"')],
          ['ok', 'CONFLICT'],
        ],
        [
          "another org's user",
          () => [patch(0, 4, [t.users[6]!]), patch(1, 3, [other.users[6]!, t.users[7]!])],
          ['ok', 'INVALID'],
        ],
      ];
      for (const [what, run, expected] of cases) {
        const before = { ...groupCommitStats };
        const settled = await Promise.allSettled(run());
        expect(groupCommitStats.batched - before.batched, what).toBe(0);
        const outcome = settled.map((r) =>
          r.status === 'fulfilled' ? 'ok' : (r.reason as { code?: string }).code,
        );
        expect(outcome, what).toEqual(expected);
      }
      const audits = await g.db
        .selectFrom('audit_log')
        .select(['after', 'request_id'])
        .where('org_id', '=', t.orgId)
        .where('action', '=', 'GroupMembersAdded')
        .where('seq', '>', t.seq)
        .orderBy('seq')
        .execute();
      const ix = (id: string) => t.users.indexOf(id);
      expect(
        audits.map((a) => [
          a.request_id,
          (JSON.parse(String(a.after)) as { memberIds: string[] }).memberIds.map(ix).join(','),
        ]),
      ).toEqual([
        ['0', '2'],
        ['1', '3'],
        ['0', '2'],
        ['0', '5'],
        ['0', '6'],
      ]);
      // The refused PATCHes left nothing: group 3 is still empty.
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from group_members
         where org_id = ${t.orgId} and group_id = ${t.groups[3]!}`.execute(g.db);
      expect(rows[0]!.n).toBe(0);
      const chain = await verifyAuditChain({ services: s, caller: admin, orgId: t.orgId });
      expect(chain.ok).toBe(true);
    });
  },
);

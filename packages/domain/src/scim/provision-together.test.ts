/**
 * Issue 15, S1: SCIM provisionings queued together run as one set-based step
 * (./provision-together.ts). Differential: the same provisionings are sent to one org one by one
 * and to a twin org all at once, and everything they leave must be equal up to fresh ids and
 * clock readings: each caller's answer, the audit entries (with each caller's request id, in
 * order), the outbox events, the member and assignment rows, the engine (against a full load),
 * seed 004's personal orgs. Runs it cannot take (an inactive user, two items with one email, a
 * taken userName, an adoption) fall back to one by one, and each caller gets the answer it gets
 * alone. On PGlite and PostgreSQL.
 */
import { type Gatedb, sql } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../audit/index.js';
import type { OrgCall } from '../call.js';
import type { Caller } from '../context.js';
import { groupCommitStats } from '../group-commit.js';
import { addMember, createOrg } from '../index.js';
import { createServices, type Services } from '../services.js';
import type { DirectoryUserInput } from './directory-users.js';
import { createScimToken, provisionDirectoryUser } from './index.js';

const admin: Caller = { principal: { kind: 'instance_admin' }, source: 'api', requestId: 'set' };

/**
 * `value` as JSON with every id replaced by its kind and the order it first appeared in, the
 * org's id by ORG and timestamps by T: two orgs' writes compare equal when they did the same.
 */
function normalizer(orgId: string, tag: string) {
  const seen = new Map<string, string>();
  return (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value)
        .replaceAll(orgId, 'ORG')
        .replaceAll(tag, 'TAG')
        .replace(/\b(usr|asg|scp|grp|org|sct)_[0-9a-z]{16,}\b/g, (id, kind: string) => {
          if (!seen.has(id)) seen.set(id, `${kind}#${seen.size}`);
          return seen.get(id)!;
        })
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'T'),
    );
}

describe.each(testBackends())(
  'SCIM provisionings run set-based on $name (issue 15, S1)',
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

    /** An org of `preset` with a SCIM token; the call makers for its directory. */
    async function setup(preset: string, name: string) {
      const { result: org } = await createOrg(
        { services: s, caller: admin },
        { name, preset, owner: { email: `owner@${name}.example` } },
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
      const seq = await auditSeq(org.id);
      const outbox = await g.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirstOrThrow();
      return {
        outboxId: Number(outbox.id ?? 0),
        orgId: org.id,
        scim,
        seq,
        admin: { services: s, caller: admin, orgId: org.id },
      };
    }

    async function auditSeq(orgId: string): Promise<number> {
      const row = await g.db
        .selectFrom('orgs')
        .select('audit_seq')
        .where('id', '=', orgId)
        .executeTakeFirstOrThrow();
      return Number(row.audit_seq);
    }

    /** What a run of writes left in the org after audit entry `seq`, normalized. */
    async function leftBehind(
      t: { orgId: string; seq: number; outboxId: number },
      tag: string,
      results: unknown[],
    ) {
      const { orgId, seq } = t;
      const norm = normalizer(orgId, tag);
      const audits = await g.db
        .selectFrom('audit_log')
        .select([
          'actor_id',
          'actor_label',
          'action',
          'entity_type',
          'entity_id',
          'scope_id',
          'before',
          'after',
          'source',
          'request_id',
        ])
        .where('org_id', '=', orgId)
        .where('seq', '>', seq)
        .orderBy('seq')
        .execute();
      const events = await g.db
        .selectFrom('outbox')
        .select(['type', 'payload'])
        .where('org_id', '=', orgId)
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
      const members = await g.db
        .selectFrom('members')
        .select(['user_id', 'status', 'scim_user_name', 'external_id', 'scim_doc'])
        .where('org_id', '=', orgId)
        .where('scim_user_name', 'is not', null)
        .orderBy('scim_user_name')
        .execute();
      const engine = await s.engines.get(orgId);
      const full = await createServices(g.db).engines.get(orgId, engine.revision);
      const roles = (e: typeof engine) =>
        e.snapshot.assignments
          .map((a) => `${a.subjectId} ${a.roleKey} ${a.scopeId}`)
          .filter((x) => x.startsWith('usr_'))
          .sort();
      expect(roles(engine)).toEqual(roles(full));
      // Everything through one normalizer, so ids match across the parts; the roles sorted once
      // their ids are normalized.
      const left = norm({ results, audits, events, members }) as Record<string, unknown>;
      return { ...left, roles: (norm(roles(engine)) as string[]).sort() };
    }

    const doc = (tag: string, n: number, over: Partial<DirectoryUserInput> = {}) => ({
      userName: `u${n}@${tag}.example`,
      externalId: n % 3 === 0 ? null : `ext-${n}`,
      email: `U${n}@${tag}.example`,
      name: n % 2 === 0 ? null : `User ${n}`,
      active: true,
      doc: { userName: `u${n}@${tag}.example`, n },
      ...over,
    });

    for (const preset of ['flowcode', 'identity-platform']) {
      it(`${preset}: provisionings queued together leave exactly what they leave one by one`, async () => {
        const alone = await setup(preset, `alone-${preset}`);
        const together = await setup(preset, `together-${preset}`);
        // Two of the people are users already (members of a third org): found, not created.
        const other = await setup(preset, `other-${preset}`);
        const tags = { alone: `alone-${preset}`, together: `together-${preset}` };
        for (const tag of Object.values(tags)) {
          for (const n of [2, 5]) await addMember(other.admin, { email: doc(tag, n).email });
        }
        const docs = (tag: string) => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => doc(tag, n));
        const aloneResults = [];
        for (const [n, d] of docs(tags.alone).entries()) {
          aloneResults.push((await provisionDirectoryUser(alone.scim(`r${n}`), d)).result);
        }
        const before = { ...groupCommitStats };
        // All issued in one tick: one batch, one set-based step.
        const written = await Promise.all(
          docs(tags.together).map((d, n) => provisionDirectoryUser(together.scim(`r${n}`), d)),
        );
        expect(groupCommitStats.batches - before.batches).toBe(1);
        expect(groupCommitStats.batched - before.batched).toBe(written.length);
        expect(groupCommitStats.replays - before.replays).toBe(0);
        for (const w of written) expect(w.revision).toBe(written[0]!.revision);
        const a = await leftBehind(
          alone,
          tags.alone,
          aloneResults.map((r) => ({ ...r, version: 'v' })),
        );
        const b = await leftBehind(
          together,
          tags.together,
          written.map((w) => ({ ...w.result, version: 'v' })),
        );
        expect(b).toEqual(a);
        // Two of the users were found, the others created.
        const created = (r: unknown[]) =>
          (r as { action: string }[]).filter((x) => x.action === 'Created').length;
        expect(created((b as unknown as { audits: unknown[] }).audits)).toBe(8);
        const chain = await verifyAuditChain({ services: s, caller: admin, orgId: together.orgId });
        expect(chain.ok).toBe(true);
        if (preset === 'identity-platform') {
          // Seed 004: each user new to the preset got an org of their own, batched or not.
          const { rows } = await sql<{ n: string }>`
          select count(*)::text as n from members m join orgs o on o.id = m.org_id
           where m.user_id = ${written[1]!.result.userId} and o.preset = 'identity-platform'`.execute(
            g.db,
          );
          expect(Number(rows[0]!.n)).toBe(2);
        }
      });
    }

    it('runs it cannot take fall back to one by one: each caller gets the answer it gets alone', async () => {
      const t = await setup('flowcode', 'fallback');
      const tag = 'fb';
      // Taken already: u0's userName, and u9 is a member (adopted by its email).
      await provisionDirectoryUser(t.scim('a'), doc(tag, 0));
      await addMember(t.admin, { email: doc(tag, 9).email });
      const cases: [string, DirectoryUserInput[]][] = [
        ['an inactive user', [doc(tag, 1), doc(tag, 2, { active: false }), doc(tag, 3)]],
        [
          'two items with one email',
          [doc(tag, 4), doc(tag, 5), doc(tag, 6, { email: doc(tag, 5).email })],
        ],
        [
          'a taken userName',
          [doc(tag, 7), doc(tag, 0, { externalId: 'new', email: 'x@fb.example' })],
        ],
        ['an adoption', [doc(tag, 8), doc(tag, 9)]],
        ['an invalid email', [doc(tag, 10), doc(tag, 11, { email: 'not an email' }), doc(tag, 12)]],
      ];
      for (const [what, docs] of cases) {
        const before = { ...groupCommitStats };
        const settled = await Promise.allSettled(
          docs.map((d, n) => provisionDirectoryUser(t.scim(`${what} ${n}`), d)),
        );
        expect(groupCommitStats.batched - before.batched, what).toBe(0);
        const outcome = settled.map((r) =>
          r.status === 'fulfilled'
            ? { userName: r.value.result.userName, active: r.value.result.active }
            : { code: (r.reason as { code?: string }).code },
        );
        const expected = {
          'an inactive user': [
            { userName: 'u1@fb.example', active: true },
            { userName: 'u2@fb.example', active: false },
            { userName: 'u3@fb.example', active: true },
          ],
          'two items with one email': [
            { userName: 'u4@fb.example', active: true },
            { userName: 'u5@fb.example', active: true },
            { code: 'CONFLICT' },
          ],
          'a taken userName': [{ userName: 'u7@fb.example', active: true }, { code: 'CONFLICT' }],
          'an adoption': [
            { userName: 'u8@fb.example', active: true },
            { userName: 'u9@fb.example', active: true },
          ],
          'an invalid email': [
            { userName: 'u10@fb.example', active: true },
            { code: 'INVALID' },
            { userName: 'u12@fb.example', active: true },
          ],
        }[what];
        expect(outcome, what).toEqual(expected);
      }
      const audits = await g.db
        .selectFrom('audit_log')
        .select(['action', 'request_id'])
        .where('org_id', '=', t.orgId)
        .where('action', 'in', ['Provisioned', 'Adopted'])
        .orderBy('seq')
        .execute();
      expect(audits.map((a) => `${a.action} ${a.request_id}`)).toEqual([
        'Provisioned a',
        'Provisioned an inactive user 0',
        'Provisioned an inactive user 1',
        'Provisioned an inactive user 2',
        'Provisioned two items with one email 0',
        'Provisioned two items with one email 1',
        'Provisioned a taken userName 0',
        'Provisioned an adoption 0',
        'Adopted an adoption 1',
        'Provisioned an invalid email 0',
        'Provisioned an invalid email 2',
      ]);
      const chain = await verifyAuditChain({ services: s, caller: admin, orgId: t.orgId });
      expect(chain.ok).toBe(true);
    });
  },
);

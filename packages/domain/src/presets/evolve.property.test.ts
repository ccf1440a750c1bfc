/**
 * Issue 12 R1 proof: random sequences of new preset versions — roles and scope kinds added,
 * renamed (with `renamed`) or removed (without) — applied to a stored preset whose org has
 * assignments, custom roles, scopes and pending invitations. Whatever is applied or refused,
 * nothing is ever left pointing at nothing: every assignment's and invitation's role, every
 * scope's kind and every custom role's permissions exist in the version the org follows, which
 * is always the newest stored one; and a refused version changes nothing.
 */
import type { PresetDocument } from '@gatehouse/core';
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  applyPreset,
  createOrg,
  createRole,
  createScope,
  DomainError,
  inviteMember,
  showPreset,
} from '../index.js';
import { createServices, type Services } from '../services.js';
import { instanceAdmin as admin } from '../testing.js';

/** The evolving model: role keys (each over a permission subset) and the non-root kinds. */
interface Model {
  readonly roles: Record<string, readonly string[]>;
  readonly kinds: readonly string[];
}

const ACTIONS = ['read', 'write', 'delete', 'share'] as const;

function documentOf(key: string, m: Model, renamed?: PresetDocument['renamed']): PresetDocument {
  return {
    key,
    name: key,
    catalog: { docs: [...ACTIONS] },
    rootKind: 'organization',
    scopeKinds: {
      organization: { name: 'Organization' },
      ...Object.fromEntries(m.kinds.map((k) => [k, { name: k, parents: ['organization'] }])),
    },
    roles: {
      owner: { name: 'Owner', permissions: ['*'], slot: 'primary' },
      ...Object.fromEntries(
        Object.entries(m.roles).map(([r, actions]) => [
          r,
          { name: r, permissions: actions.map((a) => `docs.${a}`) },
        ]),
      ),
    },
    ownerRole: 'owner',
    invariants: [{ roleKey: 'owner', min: 1 }],
    ...(renamed ? { renamed } : {}),
  };
}

type Step =
  | { op: 'addRole'; actions: string[] }
  | { op: 'renameRole'; pick: number }
  | { op: 'removeRole'; pick: number }
  | { op: 'addKind' }
  | { op: 'renameKind'; pick: number }
  | { op: 'removeKind'; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    op: fc.constant('addRole' as const),
    actions: fc.subarray([...ACTIONS], { minLength: 1 }),
  }),
  fc.record({ op: fc.constant('renameRole' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('removeRole' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('addKind' as const) }),
  fc.record({ op: fc.constant('renameKind' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('removeKind' as const), pick: fc.nat() }),
);

describe.each(testBackends())(
  'issue 12 R1: preset evolution never strands a row, $name',
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

    it('R1 apply → rename → remove sequences leave every assignment, invitation, scope and custom role valid', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 7 }), async (steps) => {
          run++;
          const key = `evolve-${run}`;
          const call = { services: s, caller: admin };
          let model: Model = {
            roles: { editor: ['read', 'write'], viewer: ['read'] },
            kinds: ['space'],
          };
          await applyPreset(call, { document: documentOf(key, model) });
          const { result: org } = await createOrg(call, {
            name: key,
            preset: key,
            owner: { email: `owner-${run}@evolve.test` },
          });
          const oc = { ...call, orgId: org.id };
          const { result: space } = await createScope(oc, { kind: 'space', name: 'S' });
          await addMember(oc, {
            email: `e-${run}@evolve.test`,
            roles: [{ role: 'editor', scopeId: space.id }],
          });
          await inviteMember(oc, { email: `v-${run}@evolve.test`, roles: [{ role: 'viewer' }] });
          await createRole(oc, { key: 'custom', name: 'Custom', permissions: ['docs.write'] });
          let fresh = 0;
          for (const st of steps) {
            const roleKeys = Object.keys(model.roles);
            let next: Model = model;
            let renamed: PresetDocument['renamed'];
            if (st.op === 'addRole') {
              next = { ...model, roles: { ...model.roles, [`r${++fresh}`]: st.actions } };
            } else if (st.op === 'addKind') {
              next = { ...model, kinds: [...model.kinds, `k${++fresh}`] };
            } else if ((st.op === 'renameRole' || st.op === 'removeRole') && roleKeys.length > 0) {
              const old = roleKeys[st.pick % roleKeys.length]!;
              const { [old]: perms, ...rest } = model.roles;
              if (st.op === 'renameRole') {
                const to = `r${++fresh}`;
                next = { ...model, roles: { ...rest, [to]: perms! } };
                renamed = { roles: { [old]: to } };
              } else next = { ...model, roles: rest };
            } else if (
              (st.op === 'renameKind' || st.op === 'removeKind') &&
              model.kinds.length > 0
            ) {
              const old = model.kinds[st.pick % model.kinds.length]!;
              const rest = model.kinds.filter((k) => k !== old);
              if (st.op === 'renameKind') {
                const to = `k${++fresh}`;
                next = { ...model, kinds: [...rest, to] };
                renamed = { scopeKinds: { [old]: to } };
              } else next = { ...model, kinds: rest };
            } else continue;
            const before = (await showPreset(call, { key })).version;
            try {
              await applyPreset(call, { document: documentOf(key, next, renamed) });
              model = next;
            } catch (e) {
              // Only a removal in use may be refused, and then nothing changed.
              expect(e).toBeInstanceOf(DomainError);
              expect((e as DomainError).code).toBe('CONFLICT');
              expect(st.op.startsWith('remove')).toBe(true);
              expect((await showPreset(call, { key })).version).toBe(before);
            }
            await expectConsistent(org.id, key, model);
          }
        }),
        { numRuns: 12 },
      );
    }, 240_000);

    /** Every row of the org names something the newest version (which it follows) has. */
    async function expectConsistent(orgId: string, key: string, model: Model) {
      const newest = await showPreset({ services: s, caller: admin }, { key });
      const row = await g.db
        .selectFrom('orgs')
        .select('preset_version')
        .where('id', '=', orgId)
        .executeTakeFirstOrThrow();
      expect(row.preset_version).toBe(newest.version);
      const roles = new Set(['owner', 'custom', ...Object.keys(model.roles)]);
      const kinds = new Set(['organization', ...model.kinds]);
      const assignments = await g.db
        .selectFrom('assignments')
        .select('role_key')
        .where('org_id', '=', orgId)
        .execute();
      for (const a of assignments) expect(roles).toContain(a.role_key);
      const invitations = await g.db
        .selectFrom('invitations')
        .select('roles')
        .where('org_id', '=', orgId)
        .where('status', '=', 'pending')
        .execute();
      for (const i of invitations) for (const r of i.roles) expect(roles).toContain(r.role);
      const scopes = await g.db
        .selectFrom('scopes')
        .select('kind')
        .where('org_id', '=', orgId)
        .execute();
      for (const sc of scopes) expect(kinds).toContain(sc.kind);
    }
  },
);

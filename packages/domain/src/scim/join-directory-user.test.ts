/**
 * Issue 15: SCIM provisioning inserts a new member row with its directory columns in one
 * statement (`joinAsDirectoryUser`), whose unique indexes are also its uniqueness check. What a
 * provisioning stores, audits and journals stays what it was: checked on both backends, for a new
 * member (active or not), an adopted one, a taken userName or externalId, and an IdP retry.
 */
import type { Gatedb } from '@gatehouse/db';
import { testBackends } from '@gatehouse/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inOrg } from '../call.js';
import type { Caller } from '../context.js';
import { DomainError } from '../errors.js';
import { groupCommitStats } from '../group-commit.js';
import { addMember } from '../members/index.js';
import { createOrg } from '../orgs/index.js';
import { createServices, type Services } from '../services.js';
import { createScimToken, loadDirectoryUser, provisionDirectoryUser } from './index.js';

const admin: Caller = { principal: { kind: 'instance_admin' }, source: 'api' };

describe.each(testBackends())('SCIM provisioning of a member on $name (issue 15)', (backend) => {
  let g: Gatedb;
  let s: Services;
  let scim: Caller;
  let orgId: string;
  beforeAll(async () => {
    g = await backend.open();
    s = createServices(g.db);
    const { result: org } = await createOrg(
      { services: s, caller: admin },
      { name: 'Join', preset: 'flowcode', owner: { email: 'owner@join.example' } },
    );
    orgId = org.id;
    const { result: issued } = await createScimToken(
      { services: s, caller: admin, orgId },
      { name: 'IdP' },
    );
    scim = { principal: { kind: 'scim', orgId, tokenId: issued.scimToken.id }, source: 'scim' };
  });
  afterAll(async () => {
    await g?.close();
  });

  const input = (n: number, active = true) => ({
    userName: `J${n}@join.example`,
    externalId: `ext-${n}`,
    email: `j${n}@join.example`,
    name: `Joiner ${n}`,
    active,
    doc: { userName: `J${n}@join.example`, name: { givenName: 'Joiner' } },
  });
  const provision = (n: number, active = true) =>
    provisionDirectoryUser(inOrg({ services: s, caller: scim }, orgId), input(n, active));

  /** The audit actions and journal entries of the org at `revision`. */
  async function written(revision: number) {
    const audits = await g.db
      .selectFrom('audit_log')
      .select(['action', 'entity_type'])
      .where('org_id', '=', orgId)
      .where('revision', '=', revision)
      .orderBy('seq')
      .execute();
    const journal = await g.db
      .selectFrom('snapshot_changes')
      .select(['entity', 'key'])
      .where('org_id', '=', orgId)
      .where('revision', '=', revision)
      .execute();
    return { actions: audits.map((a) => `${a.entity_type}.${a.action}`), journal };
  }

  it('a new member gets its directory columns in the insert: stored, audited, journaled once', async () => {
    const { result, revision } = await provision(1);
    expect(result).toMatchObject({
      userName: 'J1@join.example',
      externalId: 'ext-1',
      active: true,
      doc: input(1).doc,
      groups: [],
    });
    const stored = await loadDirectoryUser(g.db, orgId, result.userId);
    expect(stored).toEqual({ ...result, groups: undefined });
    const { actions, journal } = await written(revision);
    expect(actions).toEqual([
      'user.Created',
      'member.MemberAdded',
      'assignment.RoleAssigned',
      'member.Provisioned',
    ]);
    // One journal entry for the member row (it used to be inserted, then updated).
    expect(journal.filter((j) => j.entity === 'member')).toEqual([
      { entity: 'member', key: result.userId },
    ]);
    const engine = await s.engines.get(orgId);
    expect(engine.subject(result.userId)?.type).toBe('user');
  });

  it('a new member provisioned inactive is stored deactivated, with the version it returns', async () => {
    const { result } = await provision(2, false);
    expect(result.active).toBe(false);
    const stored = await loadDirectoryUser(g.db, orgId, result.userId);
    expect(stored?.active).toBe(false);
    expect(stored?.version).toBe(result.version);
    expect(stored?.userName).toBe('J2@join.example');
  });

  it('an existing member is adopted: its row gets the directory columns, not a second insert', async () => {
    const { result: added } = await addMember(inOrg({ services: s, caller: admin }, orgId), {
      email: 'j3@join.example',
    });
    const { result, revision } = await provision(3);
    expect(result.userId).toBe(added.userId);
    expect(result.userName).toBe('J3@join.example');
    const { actions } = await written(revision);
    expect(actions).toEqual(['member.Adopted']);
    expect((await loadDirectoryUser(g.db, orgId, result.userId))?.version).toBe(result.version);
  });

  it('a taken userName (any case) is a uniqueness CONFLICT and writes nothing', async () => {
    const before = await g.db
      .selectFrom('members')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow();
    const err = await provisionDirectoryUser(inOrg({ services: s, caller: scim }, orgId), {
      ...input(4),
      userName: 'j1@JOIN.example',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'uniqueness', field: 'userName' },
    });
    const after = await g.db
      .selectFrom('members')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    // The user the failed write created is rolled back with it.
    const users = await g.db
      .selectFrom('users')
      .select('id')
      .where('email_lower', '=', 'j4@join.example')
      .execute();
    expect(users).toEqual([]);
  });

  it('a taken externalId is a uniqueness CONFLICT on externalId', async () => {
    const err = await provisionDirectoryUser(inOrg({ services: s, caller: scim }, orgId), {
      ...input(5),
      externalId: 'ext-1',
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'uniqueness', field: 'externalId' },
    });
  });

  it('in one batch, a write whose insert fails on a taken userName fails alone', async () => {
    const batches = groupCommitStats.batches;
    const runs = await Promise.allSettled(
      [6, 7, 8, 9].map((n) =>
        provisionDirectoryUser(inOrg({ services: s, caller: scim }, orgId), {
          ...input(n),
          // Write 8 takes write 7's userName (another email: a new user and member).
          userName: n === 8 ? 'J7@join.example' : `J${n}@join.example`,
        }),
      ),
    );
    expect(groupCommitStats.batches - batches).toBe(1);
    expect(runs.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((runs[2] as PromiseRejectedResult).reason).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'uniqueness', field: 'userName' },
    });
    for (const r of runs) {
      if (r.status !== 'fulfilled') continue;
      const stored = await loadDirectoryUser(g.db, orgId, r.value.result.userId);
      expect(stored?.version).toBe(r.value.result.version);
    }
  });

  it('the same user provisioned again (an IdP retry) is a uniqueness CONFLICT on userName', async () => {
    const err = await provision(1).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'uniqueness', field: 'userName' },
    });
  });
});

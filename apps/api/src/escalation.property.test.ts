/**
 * R6 M7 (issue 10): no escalation, by any write. For every preset, random orgs and a random
 * actor (an API client, a user session, a client acting on behalf of a user) with random roles
 * run random sequences of writes drawn from every mutation procedure of the router (read from
 * `appRouter`, so a new procedure is covered without editing this test) with inputs made from
 * each procedure's zod schema and what exists in the org. After each accepted write the oracle
 * (./testing/access-oracle.ts) checks both access rules and every invariant on fresh engines,
 * and on a seed 004 preset that every user still owns an organization
 * (./testing/ownership-oracle.ts); a refused write must leave the org's revision where it was.
 *
 * `pnpm --filter @gatehouse/api test:soak` soaks it (`PROP_RUNS=200`, `PROP_STEPS`).
 */
import { expandPatterns, type OrgSnapshot, type Preset, presets } from '@gatehouse/core';
import type { Gatedb } from '@gatehouse/db';
import { createDb } from '@gatehouse/db';
import {
  addGroupMembers,
  addMember,
  assignRole,
  type Caller,
  createApiClient,
  createGroup,
  createOrg,
  createRole,
  createSamlConnection,
  createScimToken,
  createScope,
  createServices,
  createSsoConnection,
  hashPassword,
  inviteMember,
  type Services,
} from '@gatehouse/domain';
import { offlineIdpFetch, sessionLogin } from '@gatehouse/domain/testing';
import { TRPCError } from '@trpc/server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { procedureInputs } from './procedure-inputs.js';
import { appRouter } from './root.js';
import { readState, violations } from './testing/access-oracle.js';
import { ownershipCandidates, usersOwningNothing } from './testing/ownership-oracle.js';
import { Choices, inputFor, type Pools } from './testing/zod-inputs.js';
import type { ApiContext } from './trpc.js';

const RUNS = Number(process.env.PROP_RUNS ?? 8);
const STEPS = Number(process.env.PROP_STEPS ?? 24);
/** Each run builds an org and makes up to STEPS writes: allow well over a second per run. */
const RUN_TIMEOUT = Math.max(60_000, RUNS * 6_000);
const PASSWORD = 'Correct-Horse-Battery-9';

const system: Caller = { principal: { kind: 'system' }, source: 'system', requestId: 'prop' };

interface Procedure {
  readonly path: string;
  readonly input: z.ZodType | undefined;
}

/** Every mutation the API serves, read from the router (inputs merged as tRPC parses them). */
function mutations(): Procedure[] {
  return procedureInputs()
    .filter((p) => p.type === 'mutation')
    .map(({ path, input }) => ({ path, input }));
}

const createCaller = (ctx: ApiContext) =>
  appRouter.createCaller(ctx) as unknown as Record<
    string,
    Record<string, (input: unknown) => Promise<unknown>>
  >;

let db: Gatedb;
let s: Services;
let passwordHash: string;
const stats = new Map<string, { tried: number; accepted: number }>();

beforeAll(async () => {
  db = await createDb();
  // IdP documents are fetched when a connection is saved: every one answers here, no network.
  s = createServices(db.db, { loginMaxFailures: 0, ssoFetch: offlineIdpFetch });
  passwordHash = await hashPassword(PASSWORD);
});
afterAll(async () => {
  const rows = [...stats].sort(([a], [b]) => a.localeCompare(b));
  console.log(
    `escalation property: ${rows.reduce((n, [, v]) => n + v.tried, 0)} writes tried, ${rows.reduce((n, [, v]) => n + v.accepted, 0)} accepted\n${rows.map(([k, v]) => `  ${k}: ${v.accepted}/${v.tried}`).join('\n')}`,
  );
  await db?.close();
});

/** Tries a domain write as the system; a refusal (random roles that do not fit) is fine. */
async function attempt<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch {
    return undefined;
  }
}

/** Permissions that let an actor change access: actors get roles with them more often. */
const POWERFUL =
  /^(roles\.assign|roles\.manage|members\.|groups\.manage|apiClients\.manage|scim\.manage|scopes\.)/;

/**
 * A random role at a random scope where the preset allows it; `strong` prefers roles that carry
 * some power over others (so actors get to write), without their being the owner role.
 */
function roleAt(
  preset: Preset,
  scopes: ReadonlyArray<{ id: string; kind: string }>,
  c: Choices,
  strong = false,
) {
  // Strong roles sit at the root more often: most writes act on the whole org.
  const scope = strong && c.chance(0.7) ? scopes[0]! : c.pick(scopes)!;
  const fits = preset.roles.filter((r) => !r.scopeKinds || r.scopeKinds.includes(scope.kind));
  const perms = preset.catalog.permissions;
  const powerful = fits.filter(
    (r) =>
      (r.key !== preset.ownerRole || c.chance(0.4)) &&
      expandPatterns(perms, r.permissions).names.some((p) => POWERFUL.test(p)),
  );
  const roles = strong && powerful.length > 0 && c.chance(0.85) ? powerful : fits;
  const role = c.pick(roles) ?? preset.roles[0]!;
  const environment =
    preset.environments && c.chance(0.4) ? c.pick(['live', 'sandbox'] as const) : null;
  return { role: role.key, scopeId: scope.id, environment };
}

/** A random org of `preset` with people, groups, clients, a custom role and an invitation. */
async function randomOrg(preset: Preset, c: Choices) {
  const tag = `${preset.key}-${c.int(1e9)}`;
  const { result: org } = await createOrg(
    { services: s, caller: system },
    {
      name: `Prop ${tag}`,
      preset: preset.key,
      owner: { email: `owner-${tag}@prop.test` },
    },
  );
  const scopes: Array<{ id: string; kind: string }> = [{ id: org.id, kind: preset.rootKind }];
  for (let i = 0; i < 3; i++) {
    const parent = c.pick(scopes)!;
    const kinds = preset.scopeKinds.filter((k) => k.parents.includes(parent.kind));
    const kind = c.pick(kinds);
    if (!kind) continue;
    const made = await attempt(() =>
      createScope(
        { services: s, caller: system, orgId: org.id },
        { kind: kind.key, name: `S${i}`, parentId: parent.id },
      ),
    );
    if (made) scopes.push({ id: made.result.id, kind: kind.key });
  }
  const users: string[] = [];
  for (let i = 0; i < 5; i++) {
    const email = `u${i}-${tag}@prop.test`;
    const roles = [roleAt(preset, scopes, c, i < 3)];
    if (c.chance(0.4)) roles.push(roleAt(preset, scopes, c));
    const made =
      (await attempt(() =>
        addMember({ services: s, caller: system, orgId: org.id }, { email, roles }),
      )) ??
      (await attempt(() =>
        addMember(
          { services: s, caller: system, orgId: org.id },
          { email, roles: roles.slice(0, 1) },
        ),
      )) ??
      (await addMember({ services: s, caller: system, orgId: org.id }, { email }));
    users.push(made.result.userId);
  }
  await db.db
    .updateTable('users')
    .set({ password_hash: passwordHash })
    .where('id', 'in', users)
    .execute();
  for (let i = 0; i < 2; i++) {
    const limited = c.chance(0.3) ? [c.pick(scopes)!.id] : null;
    const { result: g } = await createGroup(
      { services: s, caller: system, orgId: org.id },
      {
        name: `G${i}`,
        limitedTo: limited,
      },
    );
    for (let j = 0; j < 2; j++) {
      const r = roleAt(preset, scopes, c);
      await attempt(() =>
        assignRole({ services: s, caller: system, orgId: org.id }, { subjectId: g.id, ...r }),
      );
    }
    await attempt(() =>
      addGroupMembers(
        { services: s, caller: system, orgId: org.id },
        { groupId: g.id, memberIds: c.some(users) },
      ),
    );
  }
  for (let i = 0; i < 2; i++) {
    const roles = [roleAt(preset, scopes, c)];
    await (attempt(() =>
      createApiClient({ services: s, caller: system, orgId: org.id }, { name: `C${i}`, roles }),
    ) ??
      createApiClient(
        { services: s, caller: system, orgId: org.id },
        { name: `C${i}`, roles: [] },
      ));
  }
  const perms = expandPatterns(preset.catalog.permissions, ['*']).names;
  await attempt(() =>
    createRole(
      { services: s, caller: system, orgId: org.id },
      { name: `Custom ${tag}`, permissions: c.some(perms, 4) },
    ),
  );
  await attempt(() =>
    inviteMember(
      { services: s, caller: system, orgId: org.id },
      { email: `invitee-${tag}@prop.test` },
    ),
  );
  await createScimToken({ services: s, caller: system, orgId: org.id }, { name: 'IdP' });
  // Issue 13: an SSO connection, so connection writes (mappings, default roles) have a target.
  await attempt(() =>
    createSsoConnection(
      { services: s, caller: system, orgId: org.id },
      {
        name: 'Okta',
        issuer: 'https://idp.prop.test',
        clientId: 'prop',
        clientSecret: 'prop-secret',
        defaultRole: c.chance(0.5) ? roleAt(preset, scopes, c).role : null,
      },
    ),
  );
  // And a SAML one from a metadata URL, so sso.refreshSamlMetadata can be accepted.
  await attempt(() =>
    createSamlConnection(
      { services: s, caller: system, orgId: org.id },
      {
        name: 'Entra',
        metadataUrl: 'https://idp.prop.test/saml/metadata',
        spEntityId: 'https://gatehouse.prop.test/sp',
      },
    ),
  );
  return { orgId: org.id, scopes, users };
}

/** A random actor with random roles: an API client, a user session, or a client for a user. */
async function randomActor(
  preset: Preset,
  org: Awaited<ReturnType<typeof randomOrg>>,
  c: Choices,
): Promise<{ caller: Caller; actors: string[]; label: string }> {
  const kind = c.pick(['client', 'client', 'session', 'session', 'onBehalfOf'] as const)!;
  const clientRoles = [roleAt(preset, org.scopes, c, true)];
  if (c.chance(0.3)) clientRoles.push(roleAt(preset, org.scopes, c));
  const client = async () => {
    const made =
      (await attempt(() =>
        createApiClient(
          { services: s, caller: system, orgId: org.orgId },
          { name: 'actor', roles: clientRoles },
        ),
      )) ??
      (await attempt(() =>
        createApiClient(
          { services: s, caller: system, orgId: org.orgId },
          { name: 'actor', roles: clientRoles.slice(0, 1) },
        ),
      )) ??
      (await createApiClient(
        { services: s, caller: system, orgId: org.orgId },
        { name: 'actor', roles: [] },
      ));
    return made.result.client.id;
  };
  // The first users were given roles with some power (see randomOrg).
  const user = c.pick(org.users.slice(0, 3))!;
  if (kind === 'session') {
    const email = (
      await db.db
        .selectFrom('users')
        .select('email')
        .where('id', '=', user)
        .executeTakeFirstOrThrow()
    ).email;
    const { result } = await sessionLogin(s, { email, password: PASSWORD, orgId: org.orgId });
    return {
      caller: {
        principal: { kind: 'user', orgId: org.orgId, userId: user, sessionId: result.session.id },
        source: 'api',
      },
      actors: [user],
      label: `session of ${user}`,
    };
  }
  const clientId = await client();
  const principal = { kind: 'client' as const, orgId: org.orgId, clientId };
  if (kind === 'client')
    return { caller: { principal, source: 'api' }, actors: [clientId], label: clientId };
  return {
    caller: { principal, onBehalfOf: user, source: 'api' },
    actors: [clientId, user],
    label: `${clientId} for ${user}`,
  };
}

async function pools(orgId: string, preset: Preset, snap: OrgSnapshot): Promise<Pools> {
  const ids = async (
    table:
      | 'assignments'
      | 'invitations'
      | 'scim_tokens'
      | 'sessions'
      | 'sso_connections'
      | 'org_domains',
  ) =>
    (await db.db.selectFrom(table).select('id').where('org_id', '=', orgId).execute()).map(
      (r) => r.id,
    );
  const emails = await db.db
    .selectFrom('members')
    .innerJoin('users', 'users.id', 'members.user_id')
    .select('users.email')
    .where('members.org_id', '=', orgId)
    .execute();
  return {
    orgId,
    users: snap.subjects.filter((x) => x.type === 'user').map((x) => x.id),
    groups: snap.subjects.filter((x) => x.type === 'group').map((x) => x.id),
    clients: snap.subjects.filter((x) => x.type === 'client').map((x) => x.id),
    scopes: snap.scopes.map((x) => x.id),
    assignments: await ids('assignments'),
    invitations: await ids('invitations'),
    scimTokens: await ids('scim_tokens'),
    sessions: await ids('sessions'),
    ssoConnections: await ids('sso_connections'),
    domains: await ids('org_domains'),
    roles: snap.roles.map((r) => r.key),
    customRoles: snap.roles.filter((r) => !r.builtIn).map((r) => r.key),
    permissions: snap.permissions.map((p) => p.name),
    scopeKinds: preset.scopeKinds.map((k) => k.key),
    emails: emails.map((e) => e.email),
    presets: Object.keys(presets),
    password: PASSWORD,
  };
}

const procedures = mutations();

describe('R6 M7 no escalation by any write (issue 10): random actors, random writes, every preset', () => {
  it('reads the mutation procedures from the router', () => {
    expect(procedures.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        'groups.addMembers',
        'apiClients.rotate',
        'roles.update',
        'members.update',
      ]),
    );
    expect(procedures.length).toBeGreaterThanOrEqual(30);
  });

  for (const preset of Object.values(presets)) {
    it(
      `${preset.key}: after every accepted write both rules and every invariant hold`,
      async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.integer({ min: 1, max: 2 ** 31 - 1 }),
            fc.array(
              fc.tuple(
                fc.nat({ max: procedures.length - 1 }),
                fc.integer({ min: 1, max: 2 ** 31 - 1 }),
              ),
              {
                minLength: Math.ceil(STEPS / 2),
                maxLength: STEPS,
              },
            ),
            async (seed, steps) => {
              const c = new Choices(seed);
              const org = await randomOrg(preset, c);
              const actor = await randomActor(preset, org, c);
              const api = createCaller({ services: s, caller: actor.caller, authError: null });
              let before = await readState(db.db, org.orgId);
              const owningNothing = (state: typeof before, users: Iterable<string>) =>
                preset.everyUserOwnsAnOrg
                  ? usersOwningNothing(db.db, preset, state.engine.snapshot, users)
                  : Promise.resolve([]);
              expect(await owningNothing(before, org.users), 'seed 004 at the start').toEqual([]);
              for (const [which, stepSeed] of steps) {
                const proc = procedures[which]!;
                const pick = new Choices(stepSeed);
                const input = proc.input
                  ? inputFor(
                      proc.input,
                      await pools(org.orgId, preset, before.engine.snapshot),
                      pick,
                    )
                  : undefined;
                const [router, name] = proc.path.split('.') as [string, string];
                const stat = stats.get(proc.path) ?? { tried: 0, accepted: 0 };
                stats.set(proc.path, stat);
                stat.tried++;
                let accepted = true;
                try {
                  await api[router]![name]!(input);
                } catch (e) {
                  if (!(e instanceof TRPCError) || e.code === 'INTERNAL_SERVER_ERROR') throw e;
                  accepted = false;
                }
                const after = await readState(db.db, org.orgId);
                if (!accepted) {
                  expect(after.revision, `${proc.path} was refused but moved the revision`).toBe(
                    before.revision,
                  );
                  continue;
                }
                stat.accepted++;
                const found = violations(before, after, actor.actors);
                const changed = ownershipCandidates(
                  preset,
                  before.engine.snapshot,
                  after.engine.snapshot,
                );
                for (const user of await owningNothing(after, changed)) {
                  found.push(`seed 004: ${user} owns no ${preset.key} organization`);
                }
                expect(found, `${actor.label} via ${proc.path} ${JSON.stringify(input)}`).toEqual(
                  [],
                );
                before = after;
              }
            },
          ),
          { numRuns: RUNS, endOnFailure: true },
        );
      },
      RUN_TIMEOUT,
    );
  }

  it('accepted a fair share of the writes (the test is not vacuous)', () => {
    const accepted = [...stats.values()].reduce((n, v) => n + v.accepted, 0);
    expect(accepted).toBeGreaterThan(20);
  });
});

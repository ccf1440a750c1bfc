/**
 * Issue 15: the outbound fast path of SCIMMY's coercion (`./resource.ts`) gives, for what our
 * renderers produce (`renderUser`, `renderGroup`) and for near misses of it (odd timestamps,
 * a password, unknown or re-cased attributes, bad group references, nulls), exactly what
 * `plain(new SCIMMY.Schemas.User|Group(rendered, 'out', basepath))` gives: the same JSON with
 * the same key order, or the same error.
 */
import type { DirectoryGroup, DirectoryUser } from '@gatehouse/domain';
import fc from 'fast-check';
import SCIMMY from 'scimmy';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScimContext } from '../context.js';
import { renderGroup } from '../groups.js';
import { coerced, outbound } from '../routes/outcome.js';
import { ENTERPRISE_URN, GROUP_URN, plain, schemas, USER_URN } from '../schema.js';
import { outcome } from '../testing/coercion-outcome.js';
import { renderUser } from '../user-doc.js';
import { fastCoerce } from './resource.js';

const BASE = 'https://gatehouse.test/scim/v2';
const ctx = { base: BASE } as ScimContext;

/** `outbound` as it was before the fast path: SCIMMY alone. */
function scimmyOutbound(type: 'User' | 'Group', rendered: Record<string, unknown>) {
  const Schema = type === 'User' ? SCIMMY.Schemas.User : SCIMMY.Schemas.Group;
  const id = typeof rendered.id === 'string' ? rendered.id : undefined;
  return plain(coerced(id, () => new Schema(rendered, 'out', `${BASE}/${type}s`)));
}

const junk = fc.constantFrom(null, 3, true, '', 'x', [], {}, { value: 'v' }, '2020-01-01');
const near = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 99, arbitrary: valid }, { weight: 1, arbitrary: junk });
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 10 }) },
  fc.constantFrom('', 'Ada Lovelace', 'x\u0000y', 'a\ud800', 'ok\ud83d\ude00'),
);
const id = fc.oneof(fc.uuid(), fc.constantFrom('u1', 'a b', 'é'));
const date = fc.oneof(
  {
    weight: 60,
    arbitrary: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
  },
  fc.constant(new Date('+012345-01-01T00:00:00Z')),
  fc.constant(new Date('-000010-01-01T00:00:00Z')),
);
/** Documents as stored from SCIMMY-coerced bodies (with the odd junk value). */
const doc = fc.record(
  {
    name: near(
      fc.record(
        { formatted: near(text), familyName: near(text), givenName: near(text) },
        { requiredKeys: ['givenName'] },
      ),
    ),
    displayName: near(text),
    title: near(text),
    locale: near(text),
    emails: near(
      fc.array(
        fc.record(
          {
            value: near(text),
            type: near(fc.constantFrom('work', 'home', 'other', 'Work')),
            primary: near(fc.boolean()),
          },
          { requiredKeys: ['value'] },
        ),
        { maxLength: 3 },
      ),
    ),
    phoneNumbers: near(fc.array(fc.record({ value: text, type: fc.constant('mobile') }))),
    addresses: near(fc.array(fc.record({ locality: text, type: fc.constant('work') }))),
    entitlements: near(fc.array(fc.record({ value: text }))),
    [ENTERPRISE_URN]: near(
      fc.record(
        {
          department: near(text),
          employeeNumber: near(text),
          manager: near(
            fc.record(
              {
                value: near(text),
                displayName: near(text),
                $ref: near(fc.constantFrom('../Users/m', 'x')),
              },
              { requiredKeys: ['value'] },
            ),
          ),
        },
        { requiredKeys: ['department'] },
      ),
    ),
    // What the fast path leaves to SCIMMY, or SCIMMY drops or refuses.
    password: text,
    profileUrl: fc.constantFrom('https://example.com/ada', 'nope'),
    roles: fc.constant([{ value: 'admin' }]),
    unknownAttr: text,
    DisplayName: text,
    nickname: text,
  },
  { requiredKeys: [] },
);

/** Keeps `doc` mostly to what the fast path takes, so both paths are well exercised. */
const usualDoc = fc.tuple(doc, fc.integer({ min: 0, max: 9 })).map(([d, n]) => {
  if (n === 0) return d;
  const out: Record<string, unknown> = { ...d };
  for (const k of ['password', 'profileUrl', 'roles', 'unknownAttr', 'DisplayName', 'nickname'])
    delete out[k];
  return out;
});

const groupRef = fc.record({ id, name: near(text) });

const user = fc.record({
  userId: id,
  userName: near(text),
  externalId: fc.option(text),
  active: fc.boolean(),
  doc: usualDoc,
  createdAt: date,
  lastModified: date,
  version: fc.integer({ min: 1, max: 1e6 }).map(String),
});

/** A rendered user, sometimes altered the way a bad stored document or a bug would. */
const renderedUser = fc
  .tuple(
    user,
    fc.array(groupRef, { maxLength: 3 }),
    fc.oneof(
      { weight: 10, arbitrary: fc.constant(null) },
      fc.constantFrom('noMeta', 'badCreated', 'schemas', 'groupType', 'id', 'location'),
    ),
    fc.constantFrom(
      '2020-01-01',
      '2020-13-45T99:99:99.999Z',
      '2020-02-30T00:00:00.000Z',
      '2020-01-01T00:00:00Z',
      '2020-01-01T00:00:00.000+00:00',
    ),
  )
  .map(([u, groups, alter, badDate]) => {
    const r = renderUser(u as unknown as DirectoryUser, groups as never, BASE);
    if (alter === 'noMeta') delete r.meta;
    if (alter === 'badCreated') (r.meta as Record<string, unknown>).created = badDate;
    if (alter === 'schemas') r.schemas = [ENTERPRISE_URN];
    if (alter === 'groupType' && Array.isArray(r.groups) && r.groups[0])
      r.groups[0].type = 'Direct';
    if (alter === 'id') r.id = '';
    if (alter === 'location') (r.meta as Record<string, unknown>).location = 'https://elsewhere/x';
    return r;
  });

const member = fc.record({ id, display: near(text) });
const renderedGroup = fc
  .tuple(
    fc.record({
      groupId: id,
      displayName: near(text),
      externalId: fc.option(text),
      createdAt: date,
      lastModified: date,
      version: fc.integer({ min: 1, max: 1e6 }).map(String),
    }),
    fc.option(fc.array(member, { maxLength: 4 })),
    fc.oneof(
      { weight: 10, arbitrary: fc.constant(null) },
      fc.constantFrom('schemas', 'memberType', 'extra'),
    ),
  )
  .map(([g, members, alter]) => {
    const r = renderGroup(g as unknown as DirectoryGroup, (members ?? undefined) as never, BASE);
    if (alter === 'schemas') r.schemas = [USER_URN, GROUP_URN];
    if (alter === 'memberType' && Array.isArray(r.members) && r.members[0])
      r.members[0].type = 'user';
    if (alter === 'extra') r.owners = [];
    return r;
  });

beforeAll(() => {
  schemas();
});

function compare(type: 'User' | 'Group', gen: fc.Arbitrary<Record<string, unknown>>) {
  let fast = 0;
  fc.assert(
    fc.property(gen, (rendered) => {
      const expected = outcome(() => scimmyOutbound(type, rendered));
      expect(outcome(() => outbound(ctx, type, rendered))).toBe(expected);
      const took = fastCoerce(type, rendered, { way: 'out', basepath: `${BASE}/${type}s` });
      if (took) {
        fast++;
        expect(JSON.stringify(took)).toBe(JSON.stringify(JSON.parse(expected).ok));
      }
    }),
    { numRuns: 2000 },
  );
  return fast;
}

describe('outbound coercion fast path', () => {
  it('F4 a rendered User gives what SCIMMY gives: the same JSON (key order too) or error', () => {
    expect(compare('User', renderedUser)).toBeGreaterThan(600);
  });

  it('F4 a rendered Group gives what SCIMMY gives: the same JSON (key order too) or error', () => {
    expect(compare('Group', renderedGroup)).toBeGreaterThan(600);
  });
});

/**
 * Issue 15: the inbound fast path of SCIMMY's coercion (`./resource.ts`) gives, for generated
 * POST/PUT bodies (common ones from Entra ID and Okta, near misses, wrong types, other
 * casings, unknown and extension attributes), exactly what SCIMMY gives: the same JSON with
 * the same key order, or the same error (status, scimType, detail). F1 and F2 compare the
 * routes' `inboundBody` and the PATCH path's `coerceUser` with SCIMMY alone.
 */
import fc from 'fast-check';
import SCIMMY from 'scimmy';
import { beforeAll, describe, expect, it } from 'vitest';
import { coerced } from '../routes/outcome.js';
import { inboundBody } from '../routes/resource.js';
import { ENTERPRISE_URN, GROUP_URN, plain, schemas, USER_URN } from '../schema.js';
import { outcome } from '../testing/coercion-outcome.js';
import { coerceUser } from '../user-doc.js';
import { fastCoerce } from './resource.js';

/** `inboundBody` as it was before the fast path: SCIMMY alone. */
function scimmyInbound(type: 'User' | 'Group', body: unknown, id?: string) {
  const Schema = type === 'User' ? SCIMMY.Schemas.User : SCIMMY.Schemas.Group;
  if (Object(body) !== body || Array.isArray(body)) return inboundBody(type, body, id);
  return plain(coerced(id, () => new Schema(body as Record<string, unknown>, 'in')));
}

/** `coerceUser` as it was before the fast path. */
function scimmyCoerceUser(body: unknown) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return coerceUser(body);
  try {
    return plain(new SCIMMY.Schemas.User(body as Record<string, unknown>, 'in'));
  } catch (e) {
    if (e instanceof SCIMMY.Types.Error) throw e;
    throw new SCIMMY.Types.Error(400, 'invalidValue', (e as Error).message);
  }
}

const junk = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.integer({ min: -3, max: 3 }),
  fc.boolean(),
  fc.string({ maxLength: 4 }),
  fc.constantFrom('True', 'false', '2020-01-01', ''),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
  fc.constant({}),
  fc.constant({ value: 'x' }),
);
/** Mostly `valid`, sometimes anything. */
const near = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 19, arbitrary: valid }, { weight: 1, arbitrary: junk });
/** Mostly nothing, sometimes `arb`. */
const rarely = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 15, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 10 }) },
  fc.constantFrom('', 'Ada Lovelace', 'ada@example.com', 'x\u0000y', 'a\ud800', 'ok\ud83d\ude00'),
);
const str = near(text);
const bool = near(fc.boolean());
const canonical = (...values: string[]) =>
  near(fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...values) }, text));

/** Objects of `base`, sometimes with a key in another casing or an unknown key added. */
function mutated(
  base: fc.Arbitrary<Record<string, unknown>>,
  keys: readonly string[],
  extras: readonly string[],
): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(
      base,
      rarely(fc.tuple(fc.constantFrom(...extras, ...keys), junk)),
      rarely(fc.constantFrom(...keys)),
    )
    .map(([obj, extra, recase]) => {
      const out: Record<string, unknown> = { ...obj };
      if (recase && recase in out) {
        const v = out[recase];
        delete out[recase];
        out[recase.toUpperCase() === recase ? recase.toLowerCase() : recase.toUpperCase()] = v;
      }
      if (extra) out[extra[0]] = extra[1];
      return out;
    });
}

/** A record of optional keys, mutated as above. */
function loose(
  model: Record<string, fc.Arbitrary<unknown>>,
  extras: readonly string[],
  requiredKeys: string[] = [],
): fc.Arbitrary<Record<string, unknown>> {
  return mutated(fc.record(model, { requiredKeys }), Object.keys(model), extras);
}

const multi = (el: fc.Arbitrary<unknown>) => near(fc.array(near(el), { maxLength: 3 }));

const name = loose(
  Object.fromEntries(
    [
      'formatted',
      'familyName',
      'givenName',
      'middleName',
      'honorificPrefix',
      'honorificSuffix',
    ].map((k) => [k, str]),
  ),
  ['nickname', 'GivenName'],
);
const email = loose(
  { value: str, type: canonical('work', 'home', 'other', 'Work'), primary: bool, display: str },
  ['label', 'Value'],
);
const phone = loose(
  { value: str, type: canonical('work', 'mobile', 'fax', 'pager', 'cell'), primary: bool },
  ['extension'],
);
const address = loose(
  {
    type: canonical('work', 'home'),
    streetAddress: str,
    locality: str,
    region: str,
    postalCode: str,
    country: str,
    formatted: str,
    primary: bool,
  },
  ['street'],
);
const manager = fc.oneof(
  loose(
    { value: str, displayName: str, $ref: near(fc.constantFrom('../Users/m1', 'Users/m', 'x')) },
    ['id'],
  ),
  text,
);
const enterprise = near(
  loose(
    {
      employeeNumber: str,
      costCenter: str,
      organization: str,
      division: str,
      department: str,
      manager: near(manager),
    },
    ['Department', 'level'],
  ),
);
const userSchemas = near(
  fc.oneof(
    fc.constant([USER_URN]),
    fc.constant([USER_URN, ENTERPRISE_URN]),
    fc.constant([ENTERPRISE_URN, USER_URN, USER_URN]),
    fc.constant([ENTERPRISE_URN]),
    fc.constant([]),
    fc.constant([GROUP_URN]),
    fc.constant([USER_URN.toLowerCase()]),
  ),
);
const meta = near(
  loose({ resourceType: str, created: str, location: str, version: str }, ['resourcetype', 'etag']),
);

/** User bodies as Entra ID and Okta send them, mutated as above. */
const typicalUser = loose(
  {
    schemas: fc.constantFrom([USER_URN], [USER_URN, ENTERPRISE_URN]),
    externalId: text,
    userName: text,
    active: fc.boolean(),
    displayName: text,
    name: fc.record(
      { givenName: text, familyName: text, formatted: text },
      { requiredKeys: ['givenName'] },
    ),
    emails: fc.array(
      fc.record(
        { value: text, type: fc.constantFrom('work', 'home', 'other'), primary: fc.boolean() },
        { requiredKeys: ['value'] },
      ),
      { maxLength: 2 },
    ),
    title: text,
    password: text,
    [ENTERPRISE_URN]: fc.record(
      { department: text, employeeNumber: text, manager: fc.record({ value: text }) },
      { requiredKeys: ['department'] },
    ),
  },
  ['nickname', 'unknownAttr', 'roles'],
  ['userName'],
);

/** User bodies with any of the attributes, and near misses. */
const anyUser = loose(
  {
    schemas: userSchemas,
    id: str,
    externalId: str,
    meta,
    userName: near(fc.oneof(text, fc.constant('ada@example.com'))),
    name: near(name),
    displayName: str,
    nickName: str,
    title: str,
    userType: str,
    preferredLanguage: str,
    locale: str,
    timezone: str,
    active: bool,
    password: str,
    emails: multi(email),
    phoneNumbers: multi(phone),
    addresses: multi(address),
    groups: multi(loose({ value: str }, [])),
    entitlements: multi(loose({ value: str, type: str }, [])),
    [ENTERPRISE_URN]: enterprise,
  },
  [
    'profileUrl',
    'roles',
    'ims',
    'unknownAttr',
    `${ENTERPRISE_URN}:department`,
    ENTERPRISE_URN.toLowerCase(),
    '__proto__',
  ],
);
const userBody = fc.oneof(typicalUser, anyUser);

const member = loose(
  {
    value: str,
    display: str,
    type: canonical('User', 'Group', 'user'),
    $ref: near(fc.constantFrom('https://h/Users/u1', 'Groups/g', 'https://h/x')),
  },
  ['ref', 'Value'],
);
/** Group bodies as identity providers send them, and near misses. */
const groupBody = loose(
  {
    schemas: near(fc.constantFrom([GROUP_URN], [], [USER_URN], [GROUP_URN, ENTERPRISE_URN])),
    id: str,
    externalId: str,
    meta,
    displayName: str,
    members: multi(member),
  },
  ['owners', 'displayname', 'groups'],
);

beforeAll(() => {
  schemas();
});

function compare(type: 'User' | 'Group', gen: fc.Arbitrary<unknown>) {
  let fast = 0;
  let sameKeyOrder = 0;
  fc.assert(
    fc.property(gen, fc.option(fc.constant('u1')), (body, id) => {
      const expected = outcome(() => scimmyInbound(type, body, id ?? undefined));
      expect(outcome(() => inboundBody(type, body, id ?? undefined))).toBe(expected);
      const took = fastCoerce(type, body, { way: 'in' });
      if (took) {
        fast++;
        expect(took).toStrictEqual(JSON.parse(expected).ok);
        if (JSON.stringify(took) === JSON.stringify(JSON.parse(expected).ok)) sameKeyOrder++;
      }
    }),
    { numRuns: 4000 },
  );
  return { fast, sameKeyOrder };
}

describe('inbound coercion fast path', () => {
  it('F1 a User body gives what SCIMMY gives: the same JSON (key order too) or error', () => {
    const { fast, sameKeyOrder } = compare('User', userBody);
    // The property says something: many generated bodies took the fast path.
    expect(fast).toBeGreaterThan(300);
    expect(sameKeyOrder).toBe(fast);
  });

  it('F1 a Group body gives what SCIMMY gives: the same JSON (key order too) or error', () => {
    const { fast, sameKeyOrder } = compare('Group', groupBody);
    expect(fast).toBeGreaterThan(300);
    expect(sameKeyOrder).toBe(fast);
  });

  it("F2 coerceUser (PATCH's check of the patched document) gives what SCIMMY gives", () => {
    fc.assert(
      fc.property(userBody, (body) => {
        expect(outcome(() => coerceUser(body))).toBe(outcome(() => scimmyCoerceUser(body)));
      }),
      { numRuns: 2000 },
    );
  });

  it('F3 takes the bodies Entra ID and Okta send', () => {
    const entra = {
      schemas: [USER_URN, ENTERPRISE_URN],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_ab6490ee@example.com',
      active: true,
      displayName: 'BobIsAmazing',
      title: 'Manager',
      emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b@example.com' }],
      meta: { resourceType: 'User' },
      name: { formatted: 'Ryan Leenay', familyName: 'Leenay', givenName: 'Ryan' },
      addresses: [{ type: 'work', streetAddress: '1 Main St', locality: 'Redmond' }],
      phoneNumbers: [{ type: 'mobile', value: '+1 555 0100' }],
      [ENTERPRISE_URN]: { employeeNumber: '701984', department: 'R&D', manager: { value: 'm1' } },
    };
    const okta = {
      schemas: [USER_URN],
      userName: 'isabelle@example.com',
      name: { givenName: 'Isabelle', familyName: 'Lee' },
      emails: [{ primary: true, value: 'isabelle@example.com', type: 'work' }],
      displayName: 'Isabelle Lee',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    };
    const group = {
      schemas: [GROUP_URN],
      displayName: 'Sales',
      externalId: 'e1',
      members: [{ value: 'u1' }, { value: 'u2', display: 'Ada' }],
    };
    // An own "__proto__" key (as JSON.parse makes it) is not an attribute: SCIMMY decides.
    const proto = JSON.parse('{"userName":"a","__proto__":{"x":1}}');
    expect(fastCoerce('User', proto, { way: 'in' })).toBeUndefined();
    expect(outcome(() => inboundBody('User', proto))).toBe(
      outcome(() => scimmyInbound('User', proto)),
    );
    for (const [type, body] of [
      ['User', entra],
      ['User', okta],
      ['Group', group],
    ] as const) {
      const fast = fastCoerce(type, body, { way: 'in' });
      expect(fast).toBeDefined();
      expect(JSON.stringify(fast)).toBe(JSON.stringify(scimmyInbound(type, body)));
    }
  });
});

/**
 * Requests to every SCIM route and verb: Users, Groups, their ids, `.search` (root and per
 * type), Bulk, Me and the discovery documents; bodies shaped as users, groups, PATCH operations
 * and search requests (often broken), filters and paging parameters with odd values.
 */
import { ENTERPRISE_URN, GROUP_URN, PATCH_URN, SEARCH_URN, USER_URN } from '@gatehouse/scim';
import fc from 'fast-check';
import type { FuzzRequest } from './client.js';
import type { FuzzWorld } from './fixture.js';
import { hostileJson, hostileNumber, hostileString, urlEncode } from './hostile.js';
import { mutate } from './zod-arbitrary.js';

const scimString = fc.oneof(fc.string({ maxLength: 20 }), hostileString);

const userDoc = fc.record(
  {
    schemas: fc.constantFrom([USER_URN], [USER_URN, ENTERPRISE_URN], 'x', []),
    userName: fc.oneof(fc.emailAddress(), scimString),
    externalId: scimString,
    displayName: scimString,
    active: fc.oneof(fc.boolean(), fc.constantFrom('true', 'False', 1, null)),
    name: fc.record(
      { givenName: scimString, familyName: scimString, formatted: scimString },
      { requiredKeys: [] },
    ),
    emails: fc.array(
      fc.record(
        {
          value: fc.oneof(fc.emailAddress(), scimString),
          type: fc.constantFrom('work', 'home', 'x'),
          primary: fc.oneof(fc.boolean(), fc.constant('yes')),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    ),
    [ENTERPRISE_URN]: fc.record(
      { department: scimString, manager: fc.record({ value: scimString }) },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['userName'] },
);

function groupDoc(world: FuzzWorld) {
  return fc.record(
    {
      schemas: fc.constantFrom([GROUP_URN], 'x'),
      displayName: scimString,
      externalId: scimString,
      members: fc.array(
        fc.record(
          {
            value: fc.oneof(fc.constantFrom(...world.scimUsers), scimString),
            type: fc.constantFrom('User', 'Group'),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
    },
    { requiredKeys: [] },
  );
}

const paths = fc.constantFrom(
  'userName',
  'active',
  'displayName',
  'externalId',
  'name.givenName',
  'name',
  'emails',
  'emails[type eq "work"].value',
  'emails[value co "@"]',
  'members',
  'members[value eq "x"]',
  `${ENTERPRISE_URN}:department`,
  `${ENTERPRISE_URN}:manager.value`,
  'meta.created',
  'id',
  '',
  '[',
  'a.b.c.d',
);
const patchOp = fc.record(
  {
    op: fc.constantFrom('add', 'remove', 'replace', 'Add', 'REPLACE', 'move', '', 1),
    path: fc.oneof(paths, scimString),
    value: fc.oneof(
      scimString,
      hostileJson,
      fc.boolean(),
      fc.constant({ active: false }),
      fc.constant([{ value: 'x' }]),
    ),
  },
  { requiredKeys: ['op'] },
);
/**
 * A BulkRequest (RFC 7644 §3.7): operations of every method on real, made-up and `bulkId:`
 * paths, with user, group, PATCH or hostile data, versions and `failOnErrors` odd or hostile.
 */
function bulkBody(world: FuzzWorld) {
  const bulkId = fc.oneof(fc.constantFrom('a', 'b', 'c'), scimString);
  const target = fc.oneof(
    fc.constantFrom('/Users', '/Groups', '/Users/', '/Me', '', 'Users'),
    fc
      .tuple(
        fc.constantFrom('/Users/', '/Groups/'),
        fc.oneof(
          fc.constantFrom(...world.scimUsers, ...world.scimGroups),
          bulkId.map((b) => `bulkId:${b}`),
          scimString,
        ),
      )
      .map(([a, b]) => a + b),
  );
  const operation = fc.record(
    {
      method: fc.oneof(
        fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE', 'GET', 'post'),
        scimString,
      ),
      bulkId,
      path: target,
      version: fc.oneof(fc.constant('W/"1"'), scimString),
      data: fc.oneof(userDoc, groupDoc(world), patchBody, hostileJson),
    },
    { requiredKeys: ['method', 'path'] },
  );
  return fc.record(
    {
      schemas: fc.oneof(
        fc.constant(['urn:ietf:params:scim:api:messages:2.0:BulkRequest']),
        hostileJson,
      ),
      Operations: fc.oneof(fc.array(operation, { maxLength: 6 }), hostileJson),
      failOnErrors: fc.oneof(fc.nat({ max: 3 }), hostileNumber),
    },
    { requiredKeys: ['schemas', 'Operations'] },
  );
}

const patchBody = fc.record(
  {
    schemas: fc.constantFrom([PATCH_URN], ['x'], PATCH_URN),
    Operations: fc.oneof(fc.array(patchOp, { maxLength: 4 }), hostileJson),
  },
  { requiredKeys: [] },
);

const filters = fc.oneof(
  fc.constantFrom(
    'userName eq "a"',
    'userName eq "a\u0000"',
    'userName eq "\ud800"',
    'emails[type eq "work" and value co "@"]',
    'displayName sw "S"',
    'active eq true',
    'meta.lastModified gt "2020-01-01T00:00:00Z"',
    'meta.lastModified gt "nope"',
    'externalId pr',
    'not (userName eq "a")',
    '(((((((((((a eq 1)))))))))))',
    `${'('.repeat(500)}a eq 1${')'.repeat(500)}`,
    'userName eq',
    'eq "x"',
    'a b c',
    `userName eq "${'x'.repeat(5000)}"`,
    'members[value eq "x"]',
    'id eq 1',
    'name.givenName co "%"',
    'userName eq "\\"',
    `${ENTERPRISE_URN}:department eq "x"`,
    'userName gt 999999999999999999999',
    'userName eq null',
    'x[y[z eq 1]]',
    'userName ew "\\u0000"',
  ),
  scimString,
);

const queryParams = fc.array(
  fc.tuple(
    fc.constantFrom(
      'filter',
      'startIndex',
      'count',
      'sortBy',
      'sortOrder',
      'attributes',
      'excludedAttributes',
      'filter[]',
    ),
    fc.oneof(
      filters,
      hostileNumber.map(String),
      fc.constantFrom(
        '-1',
        '0',
        '1e20',
        'abc',
        '9007199254740993',
        'ascending',
        'descending',
        'x',
        'emails.value',
        'members',
        `${ENTERPRISE_URN}:department`,
      ),
    ),
  ),
  { maxLength: 4 },
);

const searchBody = fc.record(
  {
    schemas: fc.constantFrom([SEARCH_URN], ['x']),
    filter: filters,
    startIndex: hostileNumber,
    count: hostileNumber,
    sortBy: fc.constantFrom('userName', 'x', 'meta.created'),
    sortOrder: fc.constantFrom('ascending', 'descending', 'x'),
    attributes: fc.oneof(fc.constant(['userName']), hostileJson),
  },
  { requiredKeys: [] },
);

/** `count` SCIM requests. */
export function scimRequests(world: FuzzWorld, count: number, seed: number): FuzzRequest[] {
  const id = fc.oneof(
    fc.constantFrom(...world.scimUsers, ...world.scimGroups, world.orgB.ownerUserId),
    hostileString.filter((s) => s.length < 3000).map(urlEncode),
    fc.constantFrom('%00', '%ZZ', '..', 'usr_', 'x'.repeat(3000)),
  );
  const route = fc.oneof(
    fc.tuple(
      fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
      fc.constantFrom(
        '/Users',
        '/Groups',
        '/.search',
        '/Users/.search',
        '/Groups/.search',
        '/Bulk',
        '/Me',
        '/ServiceProviderConfig',
        '/ResourceTypes',
        '/ResourceTypes/User',
        '/Schemas',
        `/Schemas/${USER_URN}`,
        '/Schemas/x',
        '',
        '/Nope',
      ),
    ),
    fc.tuple(
      fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'POST'),
      fc.tuple(fc.constantFrom('/Users/', '/Groups/'), id).map(([a, b]) => a + b),
    ),
  );
  const bodyFor = (path: string, method: string): fc.Arbitrary<unknown> => {
    if (method === 'GET' || method === 'DELETE') return fc.constant(undefined);
    if (path.endsWith('.search')) return fc.oneof(searchBody, searchBody.chain(mutate));
    if (method === 'PATCH') return fc.oneof(patchBody, patchBody.chain(mutate));
    if (path.startsWith('/Groups')) return fc.oneof(groupDoc(world), groupDoc(world).chain(mutate));
    if (path === '/Bulk') return fc.oneof(bulkBody(world), bulkBody(world).chain(mutate));
    return fc.oneof(userDoc, userDoc.chain(mutate), hostileJson);
  };
  const token = fc.oneof(
    { weight: 17, arbitrary: fc.constant(`Bearer ${world.keys.scimA}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'Bearer sct_zz.nope',
        `Bearer ${world.keys.clientA}`,
        'Basic x',
        'Bearer',
      ),
    },
  );
  const req = fc
    .tuple(
      route,
      token,
      queryParams,
      fc.constantFrom('application/scim+json', 'application/json', 'text/plain', undefined),
      fc.nat(99),
      fc.option(fc.constantFrom('*', 'W/"1"', '"x"', 'W/"'), { nil: undefined }),
    )
    .chain(([[method, path], auth, params, type, raw, ifMatch]) =>
      bodyFor(path, method).map((body): FuzzRequest => {
        const qs = params.map(([k, v]) => `${k}=${urlEncode(v)}`).join('&');
        const text =
          body === undefined
            ? undefined
            : raw < 3
              ? ['{', '{"a":', `${'['.repeat(70)}`, '\u0000'][raw % 4]
              : JSON.stringify(body);
        return {
          label: `scim ${method} ${path.replace(/\/[^/]+$/, '/:x').slice(0, 40)}`,
          method,
          path: `/scim/v2${path}${qs ? `?${qs}` : ''}`,
          headers: {
            ...(auth ? { authorization: auth } : {}),
            ...(text !== undefined && type ? { 'content-type': type } : {}),
            ...(ifMatch ? { 'if-match': ifMatch } : {}),
          },
          body: text,
        };
      }),
    );
  return fc.sample(req, { numRuns: count, seed });
}

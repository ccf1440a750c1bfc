/**
 * S2 filters over HTTP, run in the database (RFC 7644 §3.4.2.2): every operator, `and` / `or` /
 * `not`, precedence and grouping, complex attribute filters, case rules (RFC 7643: `userName`
 * and `emails.value` are caseExact false, `externalId` and `id` are case-exact), enterprise
 * attributes, `meta.lastModified`, Groups, and invalid filters as 400 `invalidFilter`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, ENTERPRISE_URN, type Env, ERROR_URN, type Org, startEnv } from './harness.js';

describe.each(backends)('S2 filters on $name', (backend) => {
  let env: Env;
  let org: Org;
  const ids: Record<string, string> = {};
  let between = '';
  let groupId = '';

  beforeAll(async () => {
    env = await startEnv(backend);
    org = await env.newOrg('Filters');
    const people = [
      {
        key: 'alice',
        userName: 'Alice@Example.com',
        externalId: 'EXT-A',
        displayName: 'Alice Liddell',
        title: 'Engineer',
        name: { givenName: 'Alice', familyName: 'Liddell' },
        emails: [
          { value: 'alice@example.com', type: 'work', primary: true },
          { value: 'alice@home.org', type: 'home' },
        ],
        phoneNumbers: [{ value: '+1 555 0100', type: 'mobile' }],
        addresses: [{ type: 'work', country: 'DE', locality: 'Berlin' }],
        [ENTERPRISE_URN]: {
          department: 'Engineering',
          employeeNumber: '100',
          manager: { value: 'mgr-1' },
        },
      },
      {
        key: 'bob',
        userName: 'bob@example.com',
        externalId: 'ext-b',
        displayName: 'Bob Builder',
        name: { givenName: 'Bob', familyName: 'Builder' },
        emails: [{ value: 'bob@builder.org', type: 'work', primary: true }],
        [ENTERPRISE_URN]: {
          department: 'Sales',
          employeeNumber: '200',
          manager: { value: 'mgr-1' },
        },
      },
      {
        key: 'carol',
        userName: 'carol@other.net',
        displayName: 'Carol Danvers',
        title: 'Captain',
        emails: [{ value: 'carol@other.net', type: 'home' }],
        [ENTERPRISE_URN]: { department: 'engineering' },
      },
      {
        key: 'dave',
        userName: 'dave_100%@example.com',
        emails: [{ value: 'dave@example.com', type: 'work' }],
        active: false,
      },
    ] as const;
    for (const [i, { key, ...user }] of people.entries()) {
      const u = await org.scim.users.create(user as never);
      ids[key] = u.id!;
      if (i === 1) {
        await new Promise((r) => setTimeout(r, 30));
        between = new Date().toISOString();
        await new Promise((r) => setTimeout(r, 30));
      }
    }
    const g = await org.scim.groups.create({
      displayName: 'Engineers',
      externalId: 'grp-ext-1',
      members: [{ value: ids.alice! }, { value: ids.carol! }],
    });
    groupId = g.id!;
    await org.scim.groups.create({ displayName: 'Sales Team', members: [{ value: ids.bob! }] });
  });
  afterAll(async () => {
    await env?.close();
  });

  async function users(filter: string): Promise<string[]> {
    const a = await org.raw('GET', `/Users?filter=${encodeURIComponent(filter)}`);
    expect(a.status, `${filter}: ${a.text.slice(0, 300)}`).toBe(200);
    const byId = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
    return a.body.Resources.map((r: { id: string }) => byId[r.id]).sort();
  }

  async function groups(filter: string): Promise<string[]> {
    const a = await org.raw(
      'GET',
      `/Groups?filter=${encodeURIComponent(filter)}&excludedAttributes=members`,
    );
    expect(a.status, `${filter}: ${a.text.slice(0, 300)}`).toBe(200);
    return a.body.Resources.map((r: { displayName: string }) => r.displayName).sort();
  }

  const table: Array<[string, string[]]> = [
    // eq, case-insensitive for userName (caseExact false) and operators in any case
    ['userName eq "alice@example.com"', ['alice']],
    ['USERNAME EQ "ALICE@EXAMPLE.COM"', ['alice']],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob@example.com"', ['bob']],
    // externalId and id are case-exact
    ['externalId eq "EXT-A"', ['alice']],
    ['externalId eq "ext-a"', []],
    ['ne', []],
    ['userName ne "alice@example.com"', ['bob', 'carol', 'dave']],
    ['title ne "Engineer"', ['bob', 'carol', 'dave']],
    ['userName co "EXAMPLE"', ['alice', 'bob', 'dave']],
    ['userName sw "b"', ['bob']],
    ['userName ew ".net"', ['carol']],
    ['userName co "100%"', ['dave']],
    ['userName co "_"', ['dave']],
    ['userName gt "bob@example.com"', ['carol', 'dave']],
    ['userName ge "bob@example.com"', ['bob', 'carol', 'dave']],
    ['userName lt "bob@example.com"', ['alice']],
    ['userName le "bob@example.com"', ['alice', 'bob']],
    ['title pr', ['alice', 'carol']],
    ['not (title pr)', ['bob', 'dave']],
    ['active eq true', ['alice', 'bob', 'carol']],
    ['active eq false', ['dave']],
    ['displayName sw "alice"', ['alice']],
    ['name.givenName eq "bob"', ['bob']],
    ['name.familyName pr', ['alice', 'bob']],
    // and / or / not, precedence (and binds tighter than or), grouping
    ['userName sw "a" or userName sw "b" and title pr', ['alice']],
    ['(userName sw "a" or userName sw "b") and title pr', ['alice']],
    ['userName sw "b" or userName sw "c" and title pr', ['bob', 'carol']],
    ['(userName sw "b" or userName sw "c") and title pr', ['carol']],
    ['not (userName sw "a" or userName sw "b")', ['carol', 'dave']],
    ['not (not (active eq false))', ['dave']],
    ['title pr and not (title eq "captain")', ['alice']],
    // multi-valued and complex attribute filters
    ['emails[type eq "work" and value co "@example"]', ['alice', 'dave']],
    ['emails[type eq "work" and value co "@builder"]', ['bob']],
    ['emails[type eq "home"] and emails[type eq "work"]', ['alice']],
    ['emails[not (type eq "work")]', ['alice', 'carol']],
    ['emails.value ew ".org"', ['alice', 'bob']],
    ['emails co "HOME.ORG"', ['alice']],
    // emails.value and emails.type are caseExact false (RFC 7643 §4.1.2)
    ['emails.value eq "ALICE@EXAMPLE.COM"', ['alice']],
    ['emails[type eq "WORK" and value eq "Bob@Builder.org"]', ['bob']],
    ['emails.type eq "home"', ['alice', 'carol']],
    ['emails pr', ['alice', 'bob', 'carol', 'dave']],
    ['emails[primary eq true]', ['alice', 'bob']],
    ['phoneNumbers[type eq "mobile"]', ['alice']],
    ['phoneNumbers pr', ['alice']],
    ['addresses[country eq "de" and locality sw "Ber"]', ['alice']],
    ['groups.display eq "engineers"', ['alice', 'carol']],
    // enterprise extension attributes, URN-qualified
    [`${ENTERPRISE_URN}:department eq "engineering"`, ['alice', 'carol']],
    [`${ENTERPRISE_URN.toUpperCase()}:DEPARTMENT eq "Sales"`, ['bob']],
    [`${ENTERPRISE_URN}:manager.value eq "mgr-1"`, ['alice', 'bob']],
    [`${ENTERPRISE_URN}:employeeNumber gt "150"`, ['bob']],
    [`${ENTERPRISE_URN}:manager pr`, ['alice', 'bob']],
    [`${ENTERPRISE_URN}:department pr and not (${ENTERPRISE_URN}:manager pr)`, ['carol']],
    // meta
    ['meta.resourceType eq "User"', ['alice', 'bob', 'carol', 'dave']],
    ['meta.created pr', ['alice', 'bob', 'carol', 'dave']],
    // eq null is "not present"
    ['title eq null', ['bob', 'dave']],
  ];

  for (const [filter, expected] of table) {
    if (filter === 'ne') continue;
    it(`S2 ${filter}`, async () => {
      expect(await users(filter)).toEqual(expected);
    });
  }

  it('S2 meta.lastModified and meta.created compare as timestamps', async () => {
    expect(await users(`meta.lastModified gt "${between}"`)).toEqual(['carol', 'dave']);
    expect(await users(`meta.lastModified lt "${between}"`)).toEqual(['alice', 'bob']);
    expect(await users(`meta.created ge "${between}" and active eq true`)).toEqual(['carol']);
    expect(await users('meta.lastModified gt "2000-01-01T00:00:00Z"')).toHaveLength(4);
  });

  it('S2 id eq (case-exact), and groups[value eq …]', async () => {
    expect(await users(`id eq "${ids.bob}"`)).toEqual(['bob']);
    expect(await users(`id eq "${ids.bob!.toUpperCase()}"`)).toEqual([]);
    expect(await users(`id ne "${ids.bob}" and id sw "usr_"`)).toEqual(['alice', 'carol', 'dave']);
    expect(await users(`groups[value eq "${groupId}"]`)).toEqual(['alice', 'carol']);
  });

  it('S2 Groups: displayName (case-insensitive), externalId, members', async () => {
    expect(await groups('displayName eq "engineers"')).toEqual(['Engineers']);
    expect(await groups('displayName co "team"')).toEqual(['Sales Team']);
    expect(await groups('externalId eq "grp-ext-1"')).toEqual(['Engineers']);
    expect(await groups(`members[value eq "${ids.bob}"]`)).toEqual(['Sales Team']);
    expect(await groups(`members.value eq "${ids.carol}"`)).toEqual(['Engineers']);
    expect(await groups('members.display co "liddell"')).toEqual(['Engineers']);
    expect(await groups('not (members pr)')).toEqual([]);
    expect(await groups('meta.resourceType eq "Group"')).toEqual(['Engineers', 'Sales Team']);
  });

  it('S2 filter and paging together: totalResults counts matches, not the page', async () => {
    const a = await org.raw(
      'GET',
      `/Users?filter=${encodeURIComponent('active eq true')}&startIndex=2&count=1&sortBy=userName`,
    );
    expect(a.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect(a.body.Resources[0].id).toBe(ids.bob);
  });

  it('S2 invalid filters are 400 invalidFilter', async () => {
    for (const f of [
      'userName eq',
      'userName',
      'userName xx "a"',
      'userName eq "a" and',
      '(userName eq "a"',
      'userName eq "a")',
      'userName eq "unterminated',
      "userName eq 'single quotes'",
      'not userName eq "a"',
      'emails[type eq "work"',
      'emails[type eq "work"].value eq "x"',
      'emails[type[value eq "x"]]',
      'nosuchattribute eq "x"',
      'name eq "x"',
      'active gt true',
      'active eq "yes"',
      'meta.created eq "not a date"',
      'meta.created co "2020"',
      'password eq "secret"',
      'meta.version eq "x"',
      'urn:unknown:schema:attr eq "x"',
      'emails[nope eq "x"]',
      'userName gt 5',
      'externalId eq 123',
      'emails[value eq true]',
      'userName eq "a" or or userName eq "b"',
      `${'('.repeat(40)}userName pr${')'.repeat(40)}`,
      Array(300).fill('userName eq "x"').join(' or '),
      'x'.repeat(10_001),
    ]) {
      const a = await org.raw('GET', `/Users?filter=${encodeURIComponent(f)}`);
      expect(a.status, `${f.slice(0, 60)} → ${a.text.slice(0, 200)}`).toBe(400);
      expect(a.body).toMatchObject({
        schemas: [ERROR_URN],
        status: '400',
        scimType: 'invalidFilter',
      });
    }
    const g = await org.raw('GET', `/Groups?filter=${encodeURIComponent('userName eq "x"')}`);
    expect(g.body.scimType).toBe('invalidFilter');
    const m = await org.raw('GET', `/Groups?filter=${encodeURIComponent('members[value gt 5]')}`);
    expect(m.body.scimType).toBe('invalidFilter');
  });
});

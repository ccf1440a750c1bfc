/**
 * Unit tests of the filter grammar (RFC 7644 §3.4.2.2), its SQL compilation and the in-memory
 * matcher used by PATCH paths. The end-to-end behaviour over HTTP is in apps/e2e/src/scim.
 */

import { type FilterNode, scimSql } from '@gatehouse/domain';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type RawBuilder,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import { schemas } from '../schema.js';
import { matchElement } from './match.js';
import { parseFilter, parseValueFilter } from './parse.js';

const { compileFilter, likeEscape } = scimSql;
const userContext = () => scimSql.userContext(schemas().User);
const groupContext = () => scimSql.groupContext(schemas().Group);
const memberRowContext = () => scimSql.memberRowContext(schemas().Group);

/** Compiles SQL without a database. */
const db = new Kysely<unknown>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
const compile = (r: RawBuilder<unknown>) => r.compile(db);
const toSql = (f: string, ctx = userContext()) => compile(compileFilter(parseFilter(f), ctx));

describe('S2 filter parser', () => {
  it('parses every operator, case-insensitively, with JSON literals', () => {
    for (const op of ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']) {
      expect(parseFilter(`userName ${op.toUpperCase()} "x"`)).toEqual({
        kind: 'compare',
        path: 'userName',
        op,
        value: 'x',
      });
    }
    expect(parseFilter('title pr')).toEqual({ kind: 'present', path: 'title' });
    expect(parseFilter('active eq TRUE')).toMatchObject({ value: true });
    expect(parseFilter('x eq null')).toMatchObject({ value: null });
    expect(parseFilter('x gt -1.5e3')).toMatchObject({ value: -1500 });
    expect(parseFilter('x eq "a \\"quoted\\" \\u00e9"')).toMatchObject({ value: 'a "quoted" é' });
  });

  it('binds not > and > or, and honours parentheses', () => {
    const f = parseFilter('a pr or b pr and not (c pr)');
    expect(f).toEqual({
      kind: 'or',
      left: { kind: 'present', path: 'a' },
      right: {
        kind: 'and',
        left: { kind: 'present', path: 'b' },
        right: { kind: 'not', expr: { kind: 'present', path: 'c' } },
      },
    });
    expect(parseFilter('(a pr or b pr) and c pr')).toMatchObject({
      kind: 'and',
      left: { kind: 'or' },
    });
  });

  it('parses complex attribute filters and URN-qualified paths', () => {
    expect(parseFilter('emails[type eq "work" and value co "@x"]')).toEqual({
      kind: 'valuePath',
      path: 'emails',
      filter: {
        kind: 'and',
        left: { kind: 'compare', path: 'type', op: 'eq', value: 'work' },
        right: { kind: 'compare', path: 'value', op: 'co', value: '@x' },
      },
    });
    const urn = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value';
    expect(parseFilter(`${urn} eq "m"`)).toMatchObject({ path: urn });
    expect(parseValueFilter('value eq "usr_1"')).toMatchObject({ kind: 'compare' });
  });

  it('rejects incomplete or malformed filters with invalidFilter', () => {
    for (const f of [
      '',
      '   ',
      'userName eq',
      'userName',
      'eq "x"',
      'a pr and',
      '(a pr',
      'a pr)',
      'a[b[c pr]]',
      'not a pr',
      "a eq 'x'",
      'a eq "x',
      'a ~ "x"',
      'a eq "x" b pr',
    ]) {
      expect(() => parseFilter(f), f).toThrow(
        expect.objectContaining({ status: 400, scimType: 'invalidFilter' }),
      );
    }
  });
});

describe('S2 filters compile to SQL', () => {
  it('userName eq uses the lower() expression the unique index holds', () => {
    const q = toSql('userName eq "Alice@X.com"');
    // Bare, so the planner can use the (org_id, lower(scim_user_name)) index.
    expect(q.sql).toBe('lower(m.scim_user_name) = lower($1)');
    expect(q.parameters).toEqual(['Alice@X.com']);
  });

  it('externalId and id are case-exact; enterprise attributes read the document', () => {
    expect(toSql('externalId eq "E"').sql).toBe('m.external_id = $1');
    expect(
      toSql('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "d"').sql,
    ).toBe(
      `lower(((m.scim_doc -> 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User') ->> 'department')) = lower($1)`,
    );
  });

  it('co/sw/ew are escaped LIKE patterns; values are always parameters', () => {
    expect(likeEscape('100%_\\')).toBe('100\\%\\_\\\\');
    const q = toSql('displayName co "50%"');
    expect(q.sql).toContain('like lower($1)');
    expect(q.parameters).toEqual(['%50\\%%']);
    const evil = toSql(`userName eq "'; drop table users; --"`);
    expect(evil.sql).not.toContain('drop');
  });

  it('multi-valued attributes become EXISTS over their elements', () => {
    const q = toSql('emails[type eq "work" and value ew "@x.org"]');
    // The longest literal becomes an indexable pre-condition on the array's text (S2 at 100k).
    expect(q.sql).toMatch(
      /^\(lower\(\(\(m\.scim_doc -> 'emails'\)\)::text\) like lower\(\$1\) and exists \(select 1 from jsonb_array_elements/,
    );
    expect(q.parameters).toEqual(['%@x.org%', 'work', '%@x.org']);
    // No pre-condition where no literal is necessary (or), too short, or JSON would escape it.
    expect(toSql('emails[type eq "work" or value eq "a@x.org"]').sql).toMatch(/^exists/);
    expect(toSql('emails[value eq "ab"]').sql).toMatch(/^exists/);
    expect(toSql('emails[value eq "a\\"b@x"]').sql).toMatch(/^exists/);
    expect(toSql('emails.value co "100%_x"').parameters[0]).toBe('%100\\%\\_x%');
    expect(toSql('members[value eq "usr_1"]', groupContext()).sql).toMatch(/from group_members gm/);
  });

  it('ne and not are true when the attribute is absent', () => {
    expect(toSql('title ne "x"').sql).toMatch(/^not coalesce\(/);
    expect(toSql('not (title pr)').sql).toMatch(/^\(not coalesce\(/);
  });

  it('member-row conditions for PATCH removals reference gm only', () => {
    const c = compile(
      compileFilter(parseValueFilter('value eq "usr_1" or display co "x"'), memberRowContext()),
    );
    expect(c.sql).toContain('gm.member_id = $1');
    expect(c.sql).not.toContain('exists (select 1 from group_members');
  });

  it('type errors are invalidFilter', () => {
    for (const f of [
      'active gt true',
      'active eq "x"',
      'meta.created eq "nope"',
      'name eq "x"',
      'nope pr',
      'password pr',
    ]) {
      expect(() => toSql(f), f).toThrow(
        expect.objectContaining({ code: 'INVALID', details: { scimType: 'invalidFilter' } }),
      );
    }
  });
});

describe('S3 in-memory value filters (PATCH paths)', () => {
  const emails = schemas().User.attrs.find((a) => a.name === 'emails')!;
  const m = (f: string, el: unknown) => matchElement(parseValueFilter(f) as FilterNode, el, emails);
  it('matches like the SQL: case-insensitive values, absent attributes', () => {
    expect(m('type eq "WORK"', { type: 'work', value: 'a' })).toBe(true);
    expect(m('type ne "work"', { value: 'a' })).toBe(true);
    expect(m('primary eq true', { primary: true })).toBe(true);
    expect(m('value co "@X" and not (primary eq true)', { value: 'a@x' })).toBe(true);
    expect(m('display pr', { display: '' })).toBe(false);
  });
});

/**
 * Issue 15: the hand-written parses of `authz.checkMany`'s and `authz.check`'s input and of a
 * read's `orgId` never accept what the zod schema refuses, and give exactly what the schema gives
 * when it accepts (C1).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authzReads } from './authz-reads.js';
import { fastCheckInput, fastCheckManyInput, fastOrgId } from './check-input.js';
import { orgInput } from './trpc.js';

const schema = authzReads.checkMany.input;

const id = fc.oneof(
  fc.stringMatching(/^[a-z]{3}_[0-9a-z]{1,20}$/),
  fc.string({ maxLength: 120 }),
  fc.constantFrom(
    '',
    'a\u0000b',
    'x\ud800',
    '\udc00y',
    'ok\ud83d\ude00',
    'x'.repeat(100),
    'x'.repeat(101),
  ),
  fc.integer(),
  fc.constant(null),
);
const permission = fc.oneof(
  fc.constantFrom('flows.read', 'org.members_manage', 'flows.', '.read', '1a.b', 'a.b-c', 'a.b\n'),
  fc.string({ maxLength: 20 }),
);
const environment = fc.oneof(
  fc.constantFrom('live', 'sandbox', 'test', ''),
  fc.constant(undefined),
  fc.integer(),
);
const check = fc.oneof(
  fc.record(
    { subject: id, permission, scope: id, environment, extra: fc.string() },
    { requiredKeys: [] },
  ),
  fc.record({ subject: id, permission, scope: id }),
  fc.constantFrom(null, [], 'check', 7),
);
/** Ids on either side of every limit, mostly valid. */
const nearId = fc.oneof(
  { weight: 8, arbitrary: fc.stringMatching(/^[a-z]{3}_[0-9a-z]{1,20}$/) },
  fc.constantFrom('x'.repeat(100), 'x'.repeat(101), '', 'a\u0000', 'ok\ud83d\ude00', 'b\udfff'),
);
/** Checks that are mostly valid, so that whole inputs often are (one bad element spoils them). */
const validCheck = fc.record(
  {
    subject: nearId,
    permission: fc.constantFrom('flows.read', 'org.members_manage', 'A.b_1'),
    scope: nearId,
    environment: fc.constantFrom('live', 'sandbox'),
  },
  { requiredKeys: ['subject', 'permission', 'scope'] },
);
const input = fc.oneof(
  fc.record(
    {
      checks: fc.oneof(
        fc.array(validCheck, { minLength: 1, maxLength: 6 }),
        fc.array(fc.oneof(validCheck, check), { maxLength: 6 }),
        fc.constant('all'),
        fc.constant([]),
      ),
      minRevision: fc.oneof(
        fc.integer({ min: -2, max: 10 }),
        fc.integer({ min: 1, max: 1e9 }),
        fc.double(),
        fc.constant(undefined),
        fc.constant(2 ** 60),
        fc.constant('3'),
      ),
      orgId: fc.constant('org_abc'),
    },
    { requiredKeys: ['checks'] },
  ),
  fc.constantFrom(undefined, null, [], 'x', 1),
);

describe('authz.checkMany input, parsed by hand', () => {
  it('C1 accepts only what the schema accepts, and gives exactly its output', () => {
    let accepted = 0;
    fc.assert(
      fc.property(input, (raw) => {
        const fast = fastCheckManyInput(raw);
        const zod = schema.safeParse(raw);
        if (fast === undefined) return;
        accepted++;
        expect(zod.success).toBe(true);
        expect(fast).toStrictEqual(zod.data);
      }),
      { numRuns: 5000 },
    );
    // The property says something: plenty of generated inputs took the fast path.
    expect(accepted).toBeGreaterThan(100);
  });

  it('C1 takes plain valid input, a thousand checks at once, with or without environment', () => {
    const checks = Array.from({ length: 1000 }, (_, i) => ({
      subject: `usr_${i}`,
      permission: 'flows.read',
      scope: 'org_abc',
      ...(i % 2 ? { environment: 'live' } : {}),
    }));
    const raw = { orgId: 'org_abc', minRevision: 3, checks };
    expect(fastCheckManyInput(raw)).toStrictEqual(schema.parse(raw));
    expect(fastCheckManyInput({ checks: [{ ...checks[0], subject: 'a\ud83d\ude00' }] })).toBe(
      undefined,
    );
  });
});

describe('authz.check input and orgId, parsed by hand', () => {
  const minRevision = fc.oneof(
    fc.integer({ min: -2, max: 10 }),
    fc.constantFrom(undefined, 2 ** 60, '3', 1.5, Number.NaN),
  );
  const single = fc.oneof(
    fc.tuple(validCheck, fc.record({ minRevision }, { requiredKeys: [] })).map(([c, m]) => ({
      ...c,
      ...m,
      orgId: 'org_abc',
    })),
    check,
    fc.constantFrom(undefined, null, 'x'),
  );
  const orgIds = fc.oneof(
    fc.stringMatching(/^org_[0-9a-z]{1,64}$/),
    fc.constantFrom('org_', 'org_ABC', `org_${'a'.repeat(65)}`, 'usr_abc', 'org_a\n', 7, null),
    fc.string({ maxLength: 12 }),
  );

  it('C1 a check: accepts only what the schema accepts, and gives exactly its output', () => {
    let accepted = 0;
    fc.assert(
      fc.property(single, (raw) => {
        const fast = fastCheckInput(raw);
        if (fast === undefined) return;
        accepted++;
        const zod = authzReads.check.input.safeParse(raw);
        expect(zod.success).toBe(true);
        expect(fast).toStrictEqual(zod.data);
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it('C1 orgId: accepts only what orgInput accepts, and gives its orgId', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          orgIds.map((orgId) => ({ orgId, x: 1 })),
          fc.constant([]),
        ),
        (raw) => {
          const fast = fastOrgId(raw);
          if (fast === undefined) return;
          accepted++;
          expect(orgInput.parse(raw).orgId).toBe(fast);
        },
      ),
      { numRuns: 2000 },
    );
    expect(accepted).toBeGreaterThan(100);
    expect(fastOrgId({ orgId: 'org_abc' })).toBe('org_abc');
  });
});

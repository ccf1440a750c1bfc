/**
 * Hostile values for the fuzz suite: strings PostgreSQL cannot store or that look like attacks,
 * numbers at and past every edge, deep nesting, prototype keys, and values of the wrong type.
 */
import fc from 'fast-check';

/** Strings a careless server mishandles. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udc00y',
    '\udbff\udbff',
    '😀',
    '\u202e\u200b\ufeff',
    'e\u0301\u0301\u0301',
    "' OR 1=1 --",
    '"; drop table users; --',
    '%00',
    '%ZZ',
    '../../etc/passwd',
    `$${'{'}7*7}{{7*7}}`,
    '<script>alert(1)</script>',
    '__proto__',
    'constructor',
    'NaN',
    '-1',
    '1e400',
    'null',
    'org_',
    'usr_0',
    'x'.repeat(201),
    'x'.repeat(2001),
    'é'.repeat(70_000),
    'ß'.repeat(1000),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ maxLength: 30 }).map((s) => `${s}\u0000${s}`),
  fc.string({ maxLength: 30 }).map((s) => `${s}\ud83d`),
);

/** Numbers and number-like values at and past every edge. */
export const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 0.5, -0.5, 2 ** 31, 2 ** 53, 2 ** 63, 1e308, -1e308, 1e-308),
  fc.constantFrom('1', '0', '-1', 'NaN', 'Infinity', '1e3', ' 1 ', '0x10'),
  fc.double(),
  fc.integer(),
);

/** Arrays and objects nested `depth` levels deep. */
export function nested(depth: number, kind: 'array' | 'object'): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

/** Any JSON value, often hostile. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [[]], { '': '' }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(20, 40, 70, 200)
      .chain((d) => fc.constantFrom(nested(d, 'array'), nested(d, 'object'))),
  },
  {
    weight: 1,
    arbitrary: fc.dictionary(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '\u0000', '\ud800'),
      fc.jsonValue({ maxDepth: 2 }),
    ),
  },
  { weight: 1, arbitrary: fc.array(hostileString, { minLength: 50, maxLength: 1200 }) },
);

/** Percent-encodes any string, lone surrogates too (as the UTF-8 of U+FFFD, as a browser would). */
export function urlEncode(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

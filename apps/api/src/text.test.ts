import { describe, expect, it } from 'vitest';
import { auditFilters } from './routers/audit.js';
import { jsonValue, text } from './text.js';

describe('text()', () => {
  const name = text({ min: 1, max: 5 });
  it('accepts storable text within the length', () => {
    expect(name.parse('Ana 😀')).toBe('Ana 😀');
  });
  it('refuses NUL, unpaired surrogates and over-long text with a message naming the problem', () => {
    expect(name.safeParse('a\u0000b').error?.issues[0]?.message).toMatch(/NUL/);
    expect(name.safeParse('a\ud800').error?.issues[0]?.message).toMatch(/surrogate/);
    expect(name.safeParse('abcdef').success).toBe(false);
    expect(name.safeParse('').success).toBe(false);
  });
  it('trims first when asked', () => {
    expect(text({ min: 1, max: 3, trim: true }).safeParse('   ').success).toBe(false);
    expect(text({ max: 3, trim: true }).parse(' ab ')).toBe('ab');
  });
  it('guards the audit filters (a NUL in ?actor= used to reach PostgreSQL as a 500)', () => {
    expect(auditFilters.actor.safeParse('x\u0000').success).toBe(false);
    expect(auditFilters.entityId.safeParse('\udc00').success).toBe(false);
    // Year 0 passes the ISO format but not PostgreSQL (it failed the export mid-stream).
    expect(auditFilters.from.safeParse('0000-01-01T00:00:00Z').success).toBe(false);
    expect(auditFilters.to.safeParse('0001-01-01T00:00:00+14:00').success).toBe(false);
    expect(auditFilters.to.safeParse('0001-01-02T00:00:00Z').success).toBe(true);
  });
});

describe('jsonValue()', () => {
  const payload = jsonValue({ maxDepth: 4, maxBytes: 100 });
  it('accepts ordinary JSON', () => {
    expect(payload.parse({ a: [1, 'two', { b: null }] })).toEqual({ a: [1, 'two', { b: null }] });
  });
  it('refuses nested NUL and surrogates, keys included, deep nesting and size', () => {
    expect(payload.safeParse({ a: ['ok', 'x\u0000'] }).error?.issues[0]?.message).toMatch(
      /^a\.1: .*NUL/,
    );
    expect(payload.safeParse(JSON.parse('{"\\ud800":1}')).success).toBe(false);
    expect(payload.safeParse([[[[[1]]]]]).error?.issues[0]?.message).toMatch(/levels deep/);
    expect(payload.safeParse({ s: 'x'.repeat(200) }).error?.issues[0]?.message).toMatch(
      /at most 100 bytes/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { EdgeError } from './edge-error.js';
import { parseJsonText } from './json-body.js';
import { jsonNestingExceeds } from './json-depth.js';
import { findUnstorable, unstorableText } from './storable-text.js';

describe('jsonNestingExceeds', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(jsonNestingExceeds('[[[]]]', 3)).toBe(false);
    expect(jsonNestingExceeds('[[[[]]]]', 3)).toBe(true);
    expect(jsonNestingExceeds('{"a":{"b":[1]}}', 3)).toBe(false);
    expect(jsonNestingExceeds(`{"a":"${'['.repeat(100)}"}`, 2)).toBe(false);
    expect(jsonNestingExceeds(`{"a":"\\"${'['.repeat(10)}"}`, 2)).toBe(false);
    expect(jsonNestingExceeds(`${'['.repeat(100_000)}`, 64)).toBe(true);
    expect(jsonNestingExceeds('["\\\\"[[[', 2)).toBe(true); // ["\\"[[[ : an escaped backslash, then the closing quote
    expect(jsonNestingExceeds('["\\\\\\"[[[', 2)).toBe(false); // \\\" does not
    expect(jsonNestingExceeds('["[[[', 2)).toBe(false); // never closed: all inside
  });

  it('agrees with a character-by-character scan on texts of brackets, quotes and backslashes', () => {
    // The reference: every character looked at in turn (the scan before issue 15).
    const reference = (text: string, max: number) => {
      let depth = 0;
      let inString = false;
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (inString) {
          if (c === '\\') i++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === '[' || c === '{') {
          if (++depth > max) return true;
        } else if (c === ']' || c === '}') depth--;
      }
      return false;
    };
    const alphabet = ['[', ']', '{', '}', '"', '\\', 'a', ',', ':'];
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let run = 0; run < 20_000; run++) {
      const length = next() % 40;
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[next() % alphabet.length];
      const max = next() % 5;
      expect(jsonNestingExceeds(text, max), `${JSON.stringify(text)} at ${max}`).toBe(
        reference(text, max),
      );
    }
  });
});

describe('parseJsonText', () => {
  it('parses, and refuses deep or malformed text with messages that quote nothing', () => {
    expect(parseJsonText('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    const deep = () => parseJsonText(`${'['.repeat(65)}${']'.repeat(65)}`, 64);
    expect(deep).toThrow(EdgeError);
    expect(deep).toThrow('more than 64 levels deep');
    expect(() => parseJsonText('{"select * from users":')).toThrow('the JSON is malformed');
  });
});

describe('storable text', () => {
  it('refuses NUL and unpaired surrogates, accepts pairs', () => {
    expect(unstorableText('plain ✓ 😀')).toBeNull();
    expect(unstorableText('a\u0000b')).toMatch(/NUL/);
    expect(unstorableText('a\ud800b')).toMatch(/surrogate/);
    expect(unstorableText('\udc00')).toMatch(/surrogate/);
  });
  it('walks keys, nested strings, numbers and depth', () => {
    expect(findUnstorable({ a: [{ b: 'ok' }] }, { maxDepth: 3 })).toBeNull();
    expect(findUnstorable({ a: [{ b: 'x\u0000' }] }, { maxDepth: 8 })).toMatch(/^a\.0\.b: .*NUL/);
    expect(findUnstorable(JSON.parse('{"\\ud800":1}'), { maxDepth: 8 })).toMatch(/a key/);
    expect(findUnstorable([[[[1]]]], { maxDepth: 3 })).toMatch(/levels deep/);
    expect(findUnstorable(Array(20).fill(1), { maxDepth: 3, maxNodes: 10 })).toMatch(/at most 10/);
  });
});

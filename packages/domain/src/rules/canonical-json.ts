/**
 * The one canonical JSON serialization of audit values (issue 10 §3): the text stored in
 * `audit_log.before` / `after` and hashed exactly as stored, never parsed again.
 *
 * It is JSON.stringify's output with object keys sorted by UTF-16 code units (as RFC 8785, JCS):
 * no whitespace; numbers in ECMAScript's shortest round-trip form; strings escaped as
 * JSON.stringify escapes them, so NUL becomes `\u0000` and a lone surrogate `\ud800` (the text
 * is valid UTF-8 and PostgreSQL `text` holds it unchanged). Array order is kept. Like
 * JSON.stringify: `toJSON` is called (dates), non-finite numbers are `null`, `undefined` and
 * functions are left out of objects and are `null` in arrays.
 */

/** Deeper nesting than this is refused (it is no audit state, and guards the call stack). */
export const MAX_JSON_DEPTH = 100;

/** Why a value has no canonical JSON. */
export class CanonicalJsonError extends Error {}

/**
 * The canonical JSON text of `value`, or undefined for `undefined` (and functions, symbols).
 *
 * @example
 * canonicalJson({ b: [1, '2'], a: '\u0000' }); // '{"a":"\\u0000","b":[1,"2"]}'
 */
export function canonicalJson(value: unknown): string | undefined {
  return write(value, 0);
}

function write(value: unknown, depth: number): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as Json).toJSON === 'function') {
    value = (value as Json).toJSON!();
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new CanonicalJsonError('a bigint has no JSON form; send it as a string or number');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  if (depth >= MAX_JSON_DEPTH) {
    throw new CanonicalJsonError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => write(v, depth + 1) ?? 'null').join(',')}]`;
  }
  const obj = value as Record<string, unknown>;
  const parts: string[] = [];
  // Default sort: UTF-16 code units. Own enumerable keys, as JSON.stringify reads them.
  for (const key of Object.keys(obj).sort()) {
    const v = write(obj[key], depth + 1);
    if (v !== undefined) parts.push(`${JSON.stringify(key)}:${v}`);
  }
  return `{${parts.join(',')}}`;
}

interface Json {
  toJSON?: () => unknown;
}

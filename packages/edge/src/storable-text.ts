/**
 * Text the database can store and every client can read: no NUL character (PostgreSQL text
 * refuses it) and well-formed UTF-16 (no unpaired surrogate, which has no UTF-8 encoding).
 */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What is wrong with `s` as stored text, or null when it is fine. */
export function unstorableText(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(s)) return 'must be well-formed Unicode (no unpaired surrogate)';
  return null;
}

/** Limits of `findUnstorable`. */
export interface JsonValueLimits {
  /** Deepest nesting of arrays and objects. */
  readonly maxDepth: number;
  /** Most strings, numbers and other values in all. */
  readonly maxNodes?: number | undefined;
}

/**
 * The first problem in a parsed JSON value, as `path: message`, or null: a key or string that is
 * not storable text, nesting past `maxDepth`, more than `maxNodes` values, or a number that is
 * not finite. Iterative, so a deep value cannot overflow the stack.
 */
export function findUnstorable(value: unknown, limits: JsonValueLimits): string | null {
  const maxNodes = limits.maxNodes ?? Number.POSITIVE_INFINITY;
  const stack: Array<[unknown, number, string]> = [[value, 0, '']];
  let nodes = 0;
  while (stack.length) {
    const [v, depth, path] = stack.pop()!;
    if (++nodes > maxNodes) return `(value): must hold at most ${maxNodes} values`;
    const at = path || '(value)';
    if (typeof v === 'string') {
      const problem = unstorableText(v);
      if (problem) return `${at}: ${problem}`;
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return `${at}: must be a finite number`;
    } else if (v !== null && typeof v === 'object') {
      if (depth >= limits.maxDepth) {
        return `${at}: must not nest more than ${limits.maxDepth} levels deep`;
      }
      for (const [k, x] of Object.entries(v)) {
        const keyProblem = unstorableText(k);
        if (keyProblem) return `${at}: a key ${keyProblem}`;
        stack.push([x, depth + 1, path ? `${path}.${k.slice(0, 40)}` : k.slice(0, 40)]);
      }
    }
  }
  return null;
}

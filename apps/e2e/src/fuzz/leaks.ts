/**
 * What a response must never show: SQL or driver text, a stack trace, a server file path. A
 * match that the request itself contained (an echoed input) does not count.
 */

/** The patterns, named for reports. */
export const LEAK_PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [
  // Within one JSON string (no unescaped quote between), so a list of permission names such as
  // "members.update","scopes.delete" … is not taken for SQL.
  ['sql statement', /\b(select|insert|update|delete)\b(?:[^"\\]|\\.){0,200}?\b(from|into|set)\b/i],
  ['sql syntax error', /syntax error at or near/i],
  ['constraint violation', /violates .* constraint/i],
  ['missing relation', /relation ".*" does not exist/i],
  [
    'driver error',
    /invalid byte sequence|invalid input syntax for|unterminated quoted|out of range for type|at or near "/i,
  ],
  ['stack trace', /\n\s+at .+\(/],
  ['stack frame', /at .*\.(js|ts|mjs|cjs):\d+/],
  ['file path', /\/(work|home|usr|node_modules|tmp)\//],
];

/** The name of the first leak in `body` that `request` did not itself contain, or null. */
export function findLeak(body: string, request: string): string | null {
  for (const [name, re] of LEAK_PATTERNS) {
    const m = re.exec(body);
    if (m && !request.includes(m[0]) && !re.test(request)) return `${name}: ${m[0].slice(0, 120)}`;
  }
  return null;
}

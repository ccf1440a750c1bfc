/**
 * Nesting depth of JSON text, measured before it is parsed: a deeply nested document is refused
 * without building it (parsers and the validators after them recurse, and would run out of stack).
 */

/** The default deepest nesting of arrays and objects accepted in a request body. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

/**
 * True when `text` nests arrays and objects deeper than `max`. Brackets inside strings do not
 * count; the text need not be valid JSON (the parser reports that afterwards). One pass, no
 * allocation, stops at the first bracket past `max`. A string is skipped with `indexOf` (native
 * speed) rather than character by character: in a request body most characters are inside
 * strings, and this scan runs before every parse (issue 15: it cost as much as `JSON.parse`).
 */
export function jsonNestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = closingQuote(text, i + 1);
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/**
 * The index of the quote closing a string whose content starts at `from` (one escaped by a
 * backslash does not close it), or the text's length when the string is never closed.
 */
function closingQuote(text: string, from: number): number {
  let q = text.indexOf('"', from);
  while (q >= 0) {
    let backslashes = 0;
    for (let b = q - 1; b >= from && text.charCodeAt(b) === 0x5c; b--) backslashes++;
    if (backslashes % 2 === 0) return q;
    q = text.indexOf('"', q + 1);
  }
  return text.length;
}

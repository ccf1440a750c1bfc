/**
 * Nesting depth of JSON text, measured before it is parsed: a deeply nested document is refused
 * without building it (parsers and the validators after them recurse, and would run out of stack).
 */

/** The default deepest nesting of arrays and objects accepted in a request body. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

/**
 * True when `text` nests arrays and objects deeper than `max`. Brackets inside strings do not
 * count; the text need not be valid JSON (the parser reports that afterwards). One pass, no
 * allocation, stops at the first bracket past `max`.
 */
export function jsonNestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** The directory's opaque page cursor. */
import { invalid } from '../errors.js';

/** Where a directory page ends: the sort key and id of its last entry. */
export interface Cursor {
  readonly sort: 'id' | 'email';
  readonly key: string;
  readonly id: string;
}

/** The opaque text form of a cursor. */
export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.sort, c.key, c.id])).toString('base64url');
}

/** A cursor read back (INVALID when tampered with or made for another sort). */
export function decodeCursor(raw: string, sort: 'id' | 'email'): Cursor {
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 3 &&
      v[0] === sort &&
      typeof v[1] === 'string' &&
      typeof v[2] === 'string'
    ) {
      return { sort, key: v[1], id: v[2] };
    }
  } catch {
    // fall through
  }
  throw invalid('invalid cursor (it belongs to another query or sort order)');
}

/** Byte order, as `COLLATE "C"` compares. */
export function compareKeys(
  a: { key: string; id: string },
  b: { key: string; id: string },
): number {
  return Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)) || (a.id < b.id ? -1 : 1);
}

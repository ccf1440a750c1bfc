/**
 * The one zod helper for text the API stores or sends to the database: a length, no NUL and
 * well-formed UTF-16 (no unpaired surrogate), so such input is a BAD_REQUEST naming the field
 * and never reaches the database as an error. Also `jsonValue`, the same rules for the strings
 * inside arbitrary JSON (audit payloads, org settings), with depth and size caps.
 */
import { findUnstorable, unstorableText } from '@gatehouse/edge';
import { z } from 'zod';

/** Options of `text`. */
export interface TextOptions {
  /** Fewest characters (after trimming, when `trim`); default 0. */
  readonly min?: number;
  /** Most characters (UTF-16 code units). */
  readonly max: number;
  /** Trim surrounding white space first; default false (the value is stored as sent). */
  readonly trim?: boolean;
}

/** Refines a zod string schema: no NUL, no unpaired surrogate. */
export function storable<T extends z.ZodString>(schema: T): T {
  return schema.check((ctx) => {
    const problem = unstorableText(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  }) as T;
}

/** A stored string: `text({ max: 200 })`, `text({ min: 1, max: 200, trim: true })`. */
export function text(options: TextOptions): z.ZodString {
  let s = z.string();
  if (options.trim) s = s.trim();
  if (options.min) s = s.min(options.min);
  return storable(s.max(options.max));
}

/** Options of `jsonValue`. */
export interface JsonValueOptions {
  /** Deepest nesting of arrays and objects; default 32. */
  readonly maxDepth?: number;
  /** Most bytes of its JSON text; default 64 KiB. */
  readonly maxBytes?: number;
}

/**
 * Any JSON value whose strings and keys are storable text, nested at most `maxDepth` deep and
 * at most `maxBytes` long as JSON text.
 */
export function jsonValue(options: JsonValueOptions = {}) {
  const maxDepth = options.maxDepth ?? 32;
  const maxBytes = options.maxBytes ?? 64 * 1024;
  return z.unknown().check((ctx) => {
    const problem = findUnstorable(ctx.value, { maxDepth, maxNodes: maxBytes });
    if (problem) {
      ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
      return;
    }
    const json = JSON.stringify(ctx.value);
    if (json !== undefined && Buffer.byteLength(json) > maxBytes) {
      ctx.issues.push({
        code: 'custom',
        message: `must be at most ${maxBytes} bytes as JSON`,
        input: ctx.value,
      });
    }
  });
}

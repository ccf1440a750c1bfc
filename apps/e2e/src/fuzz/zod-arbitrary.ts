/**
 * Inputs derived from a procedure's zod schema at run time: `validish` builds values of the
 * schema's shape (ids drawn from a pool of real ids, lengths near the limits), and `mutate`
 * breaks one of them at a random place (a hostile value, a dropped or extra key).
 */
import fc from 'fast-check';
import { hostileJson, hostileNumber, hostileString } from './hostile.js';

/** Ids the fuzz draws from, by prefix (`org`, `usr`, ...), from both orgs of the run. */
export type IdPool = Readonly<Record<string, readonly string[]>>;

interface Def {
  readonly type: string;
  readonly [k: string]: unknown;
}
interface CheckDef {
  readonly check: string;
  readonly [k: string]: unknown;
}

const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;
const checksOf = (d: Def): CheckDef[] =>
  ((d.checks as Array<{ _zod: { def: CheckDef } }> | undefined) ?? []).map((c) => c._zod.def);

function stringArb(d: Def, pool: IdPool, hint: string): fc.Arbitrary<string> {
  const checks = checksOf(d);
  const min = Number(checks.find((c) => c.check === 'min_length')?.minimum ?? 0);
  const max = Number(checks.find((c) => c.check === 'max_length')?.maximum ?? 64);
  const format =
    (d.format as string | undefined) ??
    (checks.find((c) => c.check === 'string_format')?.format as string | undefined);
  const pattern =
    (d.pattern as RegExp | undefined) ??
    (checks.find((c) => c.check === 'string_format')?.pattern as RegExp | undefined);
  if (format === 'datetime')
    return fc
      .date({ noInvalidDate: true, min: new Date('2000-01-01'), max: new Date('2100-01-01') })
      .map((x) => x.toISOString());
  if (format === 'url')
    return fc.constantFrom(
      'https://example.com/a.png',
      'http://localhost/x',
      'javascript:alert(1)',
      'file:///etc/passwd',
    );
  const prefix = pattern ? /^\^([a-z]+)_/.exec(pattern.source)?.[1] : undefined;
  if (prefix) {
    const ids = pool[prefix] ?? [];
    return ids.length
      ? fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...ids) },
          { weight: 1, arbitrary: fc.stringMatching(pattern!) },
        )
      : fc.stringMatching(pattern!);
  }
  if (pattern) return fc.stringMatching(pattern);
  const anyIds = Object.values(pool).flat();
  // Fields that hold ids (orgId, scopeId, subject, memberIds ...) mostly get real ones.
  const idField = /(id|ids)$|^(scope|subject|cursor)$/i.test(hint);
  if (idField && anyIds.length) {
    return fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...anyIds) },
      { weight: 1, arbitrary: fc.string({ minLength: min, maxLength: Math.min(max, 24) }) },
    );
  }
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ minLength: min, maxLength: Math.min(max, 24) }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'org_admin',
        'workspace_member',
        'viewer',
        'flowcode',
        'workspace',
        'admin@example.com',
        'members.read',
      ),
    },
    {
      weight: anyIds.length ? 2 : 0,
      arbitrary: fc.constantFrom(...(anyIds.length ? anyIds : ['x'])),
    },
    { weight: 1, arbitrary: fc.constant('y'.repeat(max)) },
  );
}

function numberArb(d: Def): fc.Arbitrary<number> {
  const checks = checksOf(d);
  const min = Number(checks.find((c) => c.check === 'greater_than')?.value ?? -1000);
  const max = Number(checks.find((c) => c.check === 'less_than')?.value ?? 1000);
  return fc.integer({ min: Math.max(min, -1e6), max: Math.min(max, 1e6) });
}

/** A value of the schema's shape (valid or nearly). */
export function validish(
  schema: unknown,
  pool: IdPool,
  depth = 0,
  hint = '',
): fc.Arbitrary<unknown> {
  const d = defOf(schema);
  if (depth > 6) return fc.constant(undefined);
  switch (d.type) {
    case 'string':
      return stringArb(d, pool, hint);
    case 'number':
      return numberArb(d);
    case 'boolean':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...Object.values(d.entries as Record<string, string>));
    case 'literal':
      return fc.constantFrom(...(d.values as unknown[]));
    case 'optional':
      return fc.option(validish(d.innerType, pool, depth + 1, hint), { nil: undefined, freq: 1 });
    case 'nullable':
      return fc.option(validish(d.innerType, pool, depth + 1, hint), { nil: null, freq: 4 });
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
      return validish(d.innerType, pool, depth + 1, hint);
    case 'pipe':
      return validish(d.in, pool, depth + 1, hint);
    case 'union':
      return fc.oneof(...(d.options as unknown[]).map((o) => validish(o, pool, depth + 1, hint)));
    case 'array': {
      const checks = checksOf(d);
      const min = Number(checks.find((c) => c.check === 'min_length')?.minimum ?? 0);
      return fc.array(validish(d.element, pool, depth + 1, hint), {
        minLength: min,
        maxLength: Math.max(min, 4),
      });
    }
    case 'record':
      return fc.dictionary(
        fc.constantFrom('auditRetentionDays', 'theme', 'x', 'limits'),
        fc.oneof(fc.integer({ min: -5, max: 40000 }), fc.jsonValue({ maxDepth: 2 })),
        { maxKeys: 3 },
      );
    case 'object': {
      const shape = d.shape as Record<string, unknown>;
      const entries: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(shape)) entries[k] = validish(v, pool, depth + 1, k);
      return fc
        .record(entries)
        .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
    }
    default:
      return fc.jsonValue({ maxDepth: 3 });
  }
}

/** A hostile replacement for a value. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  hostileJson,
  fc.constantFrom(undefined, null, true, [], {}),
);

/** Breaks `value` at one random place: replace a node, drop a key, or add odd keys. */
export function mutate(value: unknown): fc.Arbitrary<unknown> {
  return fc
    .tuple(fc.nat(), hostile, fc.constantFrom('replace', 'drop', 'extra'))
    .map(([pick, bad, how]) => {
      const copy = structuredClone(value);
      const slots: Array<[Record<string, unknown> | unknown[], string | number]> = [];
      const walk = (v: unknown) => {
        if (Array.isArray(v))
          v.forEach((x, i) => {
            slots.push([v, i]);
            walk(x);
          });
        else if (v && typeof v === 'object')
          for (const [k, x] of Object.entries(v)) {
            slots.push([v as Record<string, unknown>, k]);
            walk(x);
          }
      };
      walk(copy);
      if (!slots.length) return bad;
      const [parent, key] = slots[pick % slots.length]!;
      if (how === 'drop' && !Array.isArray(parent))
        delete (parent as Record<string, unknown>)[key as string];
      else if (how === 'extra' && !Array.isArray(parent))
        Object.assign(parent, { __proto__x: bad, constructor: bad });
      else (parent as Record<string | number, unknown>)[key] = bad;
      return copy;
    });
}

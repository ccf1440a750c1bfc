/**
 * The structure of a preset document (zod/mini: the stack's validator, in its tree-shakable
 * form, so browser bundles of the engine stay small). Names, types, required and unknown fields
 * are checked here; what refers to what is checked in `preset-references.ts`. The JSON Schema
 * shipped for editors (`preset.schema.json`) is generated from this one definition.
 */
import * as z from 'zod/mini';
import type { ModuleSpec } from '../permission.js';
import type { PresetDocument } from '../preset-document.js';
import { formatPath, type PresetIssue } from '../preset-error.js';

/** A module name: a letter, then letters and digits (`flows`, `brandKits`). */
const MODULE_RE = /^[a-z][a-zA-Z0-9]*$/;
/** An action name: a letter, then letters, digits and `_` (`read`, `viewOriginalSelfie`). */
const ACTION_RE = /^[a-z][a-zA-Z0-9_]*$/;
/** A key of a preset, role or scope kind: lower case, digits, `_` and `-`, at most 63. */
const KEY_RE = /^[a-z][a-z0-9_-]{0,62}$/;

const named = (what: string, re: RegExp, hint: string) =>
  z.string().check(
    z.regex(re, {
      error: (iss) => `invalid ${what} ${JSON.stringify(iss.input)} (${hint})`,
    }),
  );
const key = (what: string) =>
  named(`${what} key`, KEY_RE, 'a lower-case letter, then lower-case letters, digits, _ or -');
const text = (max: number, description: string) =>
  z.string().check(z.minLength(1), z.maxLength(max), z.describe(description));
const list = <T extends z.ZodMiniType>(item: T, description: string) =>
  z.array(item).check(z.describe(description));

const actionName = named('action name', ACTION_RE, 'a letter, then letters, digits or _');
const moduleSchema: z.ZodMiniType<ModuleSpec> = z.union(
  [
    z.array(actionName).check(z.minLength(1)),
    z.strictObject({
      actions: z.array(actionName).check(z.minLength(1)),
      sensitive: z.optional(list(z.string(), 'Actions tools warn about before granting (R7).')),
      description: z.optional(text(2000, 'One line on what the module covers.')),
    }),
  ],
  { error: 'expected a list of actions or { "actions": [...], "sensitive"?, "description"? }' },
);

/** The catalog part alone: `defineCatalog` checks its modules with it. */
export const catalogSchema = z
  .record(named('module name', MODULE_RE, 'a letter, then letters and digits'), moduleSchema)
  .check(z.describe("The product's modules and their actions (`module.action` permissions)."));

const scopeKindSchema = z.strictObject({
  name: text(200, 'Display name.'),
  parents: z.optional(list(z.string(), 'Kinds it may be created under; none for the root.')),
});

const roleSchema = z.strictObject({
  name: text(200, 'Display name.'),
  description: z.optional(text(2000, 'What the role is for.')),
  permissions: list(
    z.string().check(z.minLength(1)),
    'Exact permissions (`flows.write`), `module.*` or `*`.',
  ),
  slot: z.optional(
    z.nullable(text(100, 'Roles of one slot exclude each other at a scope; null stacks.')),
  ),
  scopeKinds: z.optional(
    z
      .array(z.string())
      .check(
        z.minLength(1, { error: 'names no scope kind; leave it out to allow every kind' }),
        z.describe('Scope kinds where the role may be held; absent: every kind.'),
      ),
  ),
});

const invariantSchema = z.strictObject({
  roleKey: z.string().check(z.describe('The role that must keep holders.')),
  at: z.optional(z.literal('root')),
  min: z.optional(z.int().check(z.minimum(1), z.maximum(1000), z.describe('Default 1.'))),
});

const about = <T extends z.ZodMiniType>(schema: T, description: string) =>
  schema.check(z.describe(description)) as T;

/** A whole preset document. */
export const presetDocumentSchema: z.ZodMiniType<PresetDocument> = z
  .strictObject({
    $schema: z.optional(about(z.string(), 'The JSON Schema, for editors; ignored.')),
    key: about(key('preset'), 'What organizations name when created on this preset.'),
    name: text(200, 'Display name.'),
    description: z.optional(about(z.string().check(z.maxLength(2000)), 'What the model is.')),
    catalog: catalogSchema,
    rootKind: about(
      z.string(),
      'The kind of the organization scope; the only kind without parents.',
    ),
    scopeKinds: about(
      z.record(key('scope kind'), scopeKindSchema),
      'Kinds of scope by key, and the kinds each may be created under.',
    ),
    roles: about(z.record(key('role'), roleSchema), 'Built-in roles by key.'),
    defaultRoles: z.optional(
      about(
        z.record(z.string(), z.nullable(z.string())),
        'Per scope kind, the role an invitation gives when it names none; null or absent: none.',
      ),
    ),
    ownerRole: about(z.string(), "The role the organization's creator receives at the root."),
    environments: z.optional(
      about(z.boolean(), 'Assignments may be limited to Live or Sandbox (default false).'),
    ),
    invariants: z.optional(
      about(z.array(invariantSchema), 'Roles that must keep holders at the organization scope.'),
    ),
    everyUserOwnsAnOrg: z.optional(
      about(z.boolean(), 'Every user must own at least one organization (default false).'),
    ),
    scopedRoleMovesDown: z.optional(
      about(
        z.boolean(),
        "A role given below the root ends the subject's role of that slot above (default false).",
      ),
    ),
    inheritance: z.optional(
      about(
        z.record(z.string(), z.enum(['additive', 'override'])),
        'Per slot, how its roles inherit down the scope tree: additive (default; roles above stack with roles below) or override (the nearest assignment of the slot wins; none there inherits).',
      ),
    ),
    renamed: z.optional(
      about(
        z.strictObject({
          permissions: z.optional(z.record(z.string(), z.string())),
          roles: z.optional(z.record(z.string(), z.string())),
          scopeKinds: z.optional(z.record(z.string(), z.string())),
        }),
        'Renames from the stored version before this one, old name → new name (preset apply).',
      ),
    ),
  })
  .check(
    z.meta({
      title: 'Gatehouse preset',
      description:
        "A product's permission model: catalog, roles, scope kinds, default and owner roles, invariants.",
    }),
  );

/** Messages for the structural problems zod finds, in the words of a document's author. */
const messages: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      return iss.input === undefined
        ? 'required'
        : `expected ${iss.expected}, got ${kind(iss.input)}`;
    case 'too_small':
      if (iss.origin === 'string') return 'must not be empty';
      if (iss.origin === 'array') return `must list at least ${iss.minimum}`;
      return `must be at least ${iss.minimum}`;
    case 'too_big':
      return iss.origin === 'string'
        ? `must be at most ${iss.maximum} characters`
        : `must be at most ${iss.maximum}`;
    case 'invalid_value':
      return `must be ${iss.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    default:
      return undefined;
  }
};

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'string' ? `string ${JSON.stringify(value)}` : typeof value;
}

/** Parses `json` with `schema`: the value, or every structural problem with its path. */
export function parseStructure<T>(
  schema: z.ZodMiniType<T>,
  json: unknown,
  prefix: readonly PropertyKey[] = [],
): { ok: true; value: T } | { ok: false; issues: PresetIssue[] } {
  const r = schema.safeParse(json, { error: messages });
  if (r.success) return { ok: true, value: r.data };
  const issues: PresetIssue[] = [];
  for (const iss of r.error.issues) {
    const path = [...prefix, ...iss.path];
    if (iss.code === 'unrecognized_keys') {
      for (const k of iss.keys)
        issues.push({ path: formatPath([...path, k]), message: 'unknown field' });
    } else if (iss.code === 'invalid_key') {
      issues.push({ path: formatPath(path), message: iss.issues[0]?.message ?? iss.message });
    } else {
      issues.push({ path: formatPath(path), message: iss.message });
    }
  }
  return { ok: false, issues };
}

/** The JSON Schema (draft 2020-12) of preset documents, for editors. */
export function presetJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(presetDocumentSchema) as Record<string, unknown>;
}

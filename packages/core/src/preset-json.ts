/**
 * Presets to and from their JSON documents (issue 12). `parsePresetDocument` is the one
 * validation every preset goes through: files a deployment loads, and `definePreset` in code.
 */
import { buildCatalog, catalogModules } from './internal/catalog-rules.js';
import { parseStructure, presetDocumentSchema } from './internal/document-schema.js';
import { referenceIssues } from './internal/preset-references.js';
import type { Preset, PresetDecl } from './preset.js';
import type { PresetDocument, RoleDocument } from './preset-document.js';
import { formatPath, PresetError, type PresetIssue } from './preset-error.js';

/**
 * Validates a preset document (parsed JSON) and returns the preset it declares. Structure first
 * (types, required and unknown fields, names), then references (permissions, scope kinds,
 * roles, nesting); throws one `PresetError` listing every problem of the first stage that has
 * any, each with its path: `roles.editor.permissions[3]: unknown permission "flows.wirte"`.
 *
 * @example
 * const preset = parsePresetDocument(JSON.parse(readFileSync('presets/docs-app.json', 'utf8')));
 * createEngine(snapshotFor(preset, state));
 */
export function parsePresetDocument(json: unknown): Preset {
  const parsed = parseStructure(presetDocumentSchema, json);
  const title = `preset ${titleKey(json)}is invalid`;
  if (!parsed.ok) throw PresetError.of(title, parsed.issues);
  const doc = parsed.value;
  const issues = referenceIssues(doc);
  if (issues.length > 0) throw PresetError.of(title, issues);
  const kinds = Object.keys(doc.scopeKinds);
  return {
    key: doc.key,
    name: doc.name,
    description: doc.description ?? '',
    catalog: buildCatalog(doc.catalog),
    rootKind: doc.rootKind,
    scopeKinds: Object.entries(doc.scopeKinds).map(([key, k]) => ({
      key,
      name: k.name,
      parents: [...(k.parents ?? [])],
    })),
    roles: Object.entries(doc.roles).map(([key, r]) => ({
      key,
      name: r.name,
      ...(r.description === undefined ? {} : { description: r.description }),
      permissions: [...r.permissions],
      slot: r.slot ?? null,
      scopeKinds: r.scopeKinds ? [...r.scopeKinds] : null,
      builtIn: true,
    })),
    defaultRoles: Object.fromEntries(kinds.map((k) => [k, doc.defaultRoles?.[k] ?? null])),
    ownerRole: doc.ownerRole,
    environments: doc.environments ?? false,
    invariants: (doc.invariants ?? []).map((i) => ({
      roleKey: i.roleKey,
      at: 'root' as const,
      min: i.min ?? 1,
    })),
    everyUserOwnsAnOrg: doc.everyUserOwnsAnOrg ?? false,
    scopedRoleMovesDown: doc.scopedRoleMovesDown ?? false,
    inheritance: { ...doc.inheritance },
  };
}

function titleKey(json: unknown): string {
  const key = (json as { key?: unknown } | null)?.key;
  return typeof key === 'string' && key.length <= 100 ? `${JSON.stringify(key)} ` : '';
}

/**
 * The document of a preset: what `parsePresetDocument` turns back into an equal preset. The
 * catalog holds only the product's modules (Gatehouse's own are always added).
 *
 * @example
 * writeFileSync('idnow.json', JSON.stringify(presetDocument(getPreset('idnow')!), null, 2));
 */
export function presetDocument(preset: Preset): PresetDocument {
  return documentOf(preset);
}

/** A declaration (or preset) as a document; roles and kinds declared twice are refused here. */
export function documentOf(p: PresetDecl<string>): PresetDocument {
  const issues: PresetIssue[] = [];
  const scopeKinds = keyed(p.scopeKinds, 'scopeKinds', 'scope kind', issues, (k) => ({
    name: k.name,
    ...(k.parents.length ? { parents: [...k.parents] } : {}),
  }));
  const roles = keyed(
    p.roles,
    'roles',
    'role',
    issues,
    (r): RoleDocument => ({
      name: r.name,
      ...(r.description === undefined ? {} : { description: r.description }),
      permissions: [...r.permissions],
      ...(r.slot == null ? {} : { slot: r.slot }),
      ...(r.scopeKinds == null ? {} : { scopeKinds: [...r.scopeKinds] }),
    }),
  );
  if (issues.length > 0) throw PresetError.of(`preset ${JSON.stringify(p.key)} is invalid`, issues);
  return {
    key: p.key,
    name: p.name,
    ...(p.description ? { description: p.description } : {}),
    catalog: catalogModules(p.catalog),
    rootKind: p.rootKind,
    scopeKinds,
    roles,
    defaultRoles: { ...p.defaultRoles },
    ownerRole: p.ownerRole,
    environments: p.environments,
    invariants: p.invariants.map((i) => ({ roleKey: i.roleKey, at: i.at, min: i.min })),
    everyUserOwnsAnOrg: p.everyUserOwnsAnOrg,
    scopedRoleMovesDown: p.scopedRoleMovesDown ?? false,
    ...(p.inheritance && Object.keys(p.inheritance).length > 0
      ? { inheritance: { ...p.inheritance } }
      : {}),
  };
}

/** Items with a `key` as an object keyed by it; a key seen twice is an issue at its index. */
function keyed<T extends { readonly key: string }, D>(
  items: readonly T[],
  field: string,
  what: string,
  issues: PresetIssue[],
  toDoc: (item: T) => D,
): Record<string, D> {
  const out: Record<string, D> = {};
  items.forEach((item, i) => {
    if (Object.hasOwn(out, item.key)) {
      const message = `${what} "${item.key}" is declared twice`;
      issues.push({ path: formatPath([field, i, 'key']), message });
    }
    // defineProperty: a key such as `__proto__` stays a key (the schema then refuses it).
    Object.defineProperty(out, item.key, {
      value: toDoc(item),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  });
  return out;
}

/**
 * What a structurally valid preset document refers to must exist and fit: roles name catalog
 * permissions and declared scope kinds; default roles, the owner role and invariants name roles
 * that may be held where they are used; the scope kinds nest properly.
 */
import { expandPatterns, type PermissionInfo } from '../permission.js';
import type { PresetDocument, RoleDocument } from '../preset-document.js';
import { formatPath, type PresetIssue } from '../preset-error.js';
import { buildCatalog, catalogIssues } from './catalog-rules.js';
import { scopeKindIssues, unknownKind } from './scope-kind-rules.js';

/** Every reference problem of `doc`, each at its path; empty when the document is consistent. */
export function referenceIssues(doc: PresetDocument): PresetIssue[] {
  const issues = [...catalogIssues(doc.catalog), ...scopeKindIssues(doc.rootKind, doc.scopeKinds)];
  const kindKnown = (k: string) => Object.hasOwn(doc.scopeKinds, k);
  const { permissions } = buildCatalog(doc.catalog);
  for (const [key, role] of Object.entries(doc.roles)) {
    const at = (...rest: PropertyKey[]) => formatPath(['roles', key, ...rest]);
    role.permissions.forEach((pattern, i) => {
      const problem = patternProblem(permissions, pattern);
      if (problem) issues.push({ path: at('permissions', i), message: problem });
    });
    role.scopeKinds?.forEach((k, i) => {
      if (!kindKnown(k)) issues.push({ path: at('scopeKinds', i), message: unknownKind(k) });
    });
  }
  const roleAt = (path: string, roleKey: string, kind: string) => {
    const problem = holdProblem(doc, roleKey, kind);
    if (problem) issues.push({ path, message: problem });
  };
  for (const [kind, roleKey] of Object.entries(doc.defaultRoles ?? {})) {
    const path = formatPath(['defaultRoles', kind]);
    if (!kindKnown(kind)) issues.push({ path, message: unknownKind(kind) });
    else if (roleKey !== null) roleAt(path, roleKey, kind);
  }
  roleAt('ownerRole', doc.ownerRole, doc.rootKind);
  doc.invariants?.forEach((inv, i) => {
    roleAt(formatPath(['invariants', i, 'roleKey']), inv.roleKey, doc.rootKind);
  });
  const slots = new Set(Object.values(doc.roles).map((r) => r.slot));
  for (const slot of Object.keys(doc.inheritance ?? {})) {
    if (slots.has(slot)) continue;
    const message = `no role uses slot ${JSON.stringify(slot)}`;
    issues.push({ path: formatPath(['inheritance', slot]), message });
  }
  return issues;
}

/** Why a role's permission pattern names nothing in the catalog, or undefined when it does. */
function patternProblem(permissions: readonly PermissionInfo[], pattern: string) {
  if (expandPatterns(permissions, [pattern]).unknown.length === 0) return undefined;
  return pattern.endsWith('.*')
    ? `unknown module ${JSON.stringify(pattern.slice(0, -2))} in ${JSON.stringify(pattern)}`
    : `unknown permission ${JSON.stringify(pattern)}`;
}

/** Why `roleKey` cannot be given at a scope of `kind`, or undefined when it can. */
function holdProblem(doc: PresetDocument, roleKey: string, kind: string): string | undefined {
  const role: RoleDocument | undefined = Object.hasOwn(doc.roles, roleKey)
    ? doc.roles[roleKey]
    : undefined;
  if (!role) return `unknown role ${JSON.stringify(roleKey)}`;
  // An unknown root kind is reported once, at rootKind.
  if (!Object.hasOwn(doc.scopeKinds, kind) || !role.scopeKinds || role.scopeKinds.includes(kind))
    return undefined;
  return `role "${roleKey}" may not be held at ${kind} (only at ${role.scopeKinds.join(', ')})`;
}

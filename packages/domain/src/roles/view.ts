/** A role as the API shows it. */
import { expandPatterns, type RoleDef } from '@gatehouse/core';
import type { OrgWrite } from '../org-write.js';

/** A role as the API shows it, with its permissions expanded and sensitive ones named (R7). */
export interface RoleView {
  readonly key: string;
  readonly name: string;
  readonly description: string | null;
  readonly permissions: readonly string[];
  readonly sensitivePermissions: readonly string[];
  readonly slot: string | null;
  readonly scopeKinds: readonly string[] | null;
  readonly builtIn: boolean;
}

/** A role as the API shows it. */
export function roleView(w: { engine: OrgWrite['engine'] }, r: RoleDef): RoleView {
  const perms = w.engine.snapshot.permissions;
  const { names } = expandPatterns(perms, r.permissions);
  const sensitive = new Set(perms.filter((p) => p.sensitive).map((p) => p.name));
  return {
    key: r.key,
    name: r.name,
    description: r.description ?? null,
    permissions: names,
    sensitivePermissions: names.filter((n) => sensitive.has(n)),
    slot: r.slot,
    scopeKinds: r.scopeKinds,
    builtIn: r.builtIn,
  };
}

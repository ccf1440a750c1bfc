/** What a custom role may be: its key, its permissions, where it applies. */
import { expandPatterns } from '@gatehouse/core';
import { invalid } from '../errors.js';
import type { OrgWrite } from '../org-write.js';

/** Input of `createRole` / `updateRole`. */
export interface RoleInput {
  readonly key?: string | undefined;
  readonly name: string;
  readonly description?: string | null | undefined;
  readonly permissions: readonly string[];
  readonly slot?: string | null | undefined;
  readonly scopeKinds?: readonly string[] | null | undefined;
}

/** What a role key may be. */
export const KEY_RE = /^[a-z][a-z0-9_]{1,62}$/;

/** INVALID unless the role fits the preset (key, permissions, kinds); FORBIDDEN beyond what the caller holds. */
export function validateRole(w: OrgWrite, input: RoleInput): void {
  if (!input.name.trim()) throw invalid('name must not be empty');
  if (input.permissions.length === 0) throw invalid('a role needs at least one permission');
  const { names, unknown } = expandPatterns(w.engine.snapshot.permissions, input.permissions);
  if (unknown.length) throw invalid(`unknown permission(s): ${unknown.join(', ')}`);
  // R6 for role definitions: nobody defines a role carrying more than they hold at the root.
  w.authorizeHolding(names, w.orgId);
  for (const k of input.scopeKinds ?? []) {
    if (!w.preset.scopeKinds.some((sk) => sk.key === k)) throw invalid(`unknown scope kind "${k}"`);
  }
}

/** The columns of a custom role row that `input` sets (creating or changing it). */
export function roleColumns(input: RoleInput) {
  return {
    name: input.name.trim(),
    description: input.description ?? null,
    permissions: [...input.permissions],
    slot: input.slot ?? null,
    scope_kinds: input.scopeKinds ? [...input.scopeKinds] : null,
    updated_at: new Date(),
  };
}

/** A scope as the API shows it. */
import type { ScopeRow } from '@gatehouse/db';

/** A scope as the API shows it. */
export interface ScopeView {
  readonly id: string;
  readonly parentId: string | null;
  readonly kind: string;
  readonly name: string;
  readonly description: string | null;
  /** An http(s) image URL (seed 001: a workspace's avatar); the root scope's is the org's. */
  readonly avatarUrl: string | null;
}

/** A scope row as the API shows it. */
export function scopeView(r: ScopeRow): ScopeView {
  return {
    id: r.id,
    parentId: r.parent_id,
    kind: r.kind,
    name: r.name,
    description: r.description,
    avatarUrl: r.avatar_url,
  };
}

/** A group as the API shows it, and what creating or editing one takes. */
import type { GroupRow } from '@gatehouse/db';

/** A group as the API shows it. */
export interface GroupView {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly avatarUrl: string | null;
  /** Scopes it may hold roles in; null: org-wide (seed 003 business vs tenant groups). */
  readonly limitedTo: readonly string[] | null;
  readonly memberCount: number;
}

/** Input of `createGroup` / `updateGroup`. */
export interface GroupInput {
  readonly name: string;
  readonly description?: string | null | undefined;
  readonly avatarUrl?: string | null | undefined;
  readonly limitedTo?: readonly string[] | null | undefined;
}

/** A group row as the API shows it. */
export function groupView(r: GroupRow, memberCount: number): GroupView {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    avatarUrl: r.avatar_url,
    limitedTo: r.limited_to,
    memberCount,
  };
}

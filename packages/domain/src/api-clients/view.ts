/** An API client as the API shows it, and its issued key (shown once). */
import type { ApiClientRow } from '@gatehouse/db';
import type { OrgWrite } from '../org-write.js';
import { type AssignmentView, assignmentView, credentialView } from '../rules/index.js';

/** An API client as the API shows it (never its secret). */
export interface ApiClientView {
  readonly id: string;
  readonly name: string;
  /** The key's last four characters, to tell keys apart. */
  readonly secretHint: string;
  readonly createdAt: string;
  readonly rotatedAt: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
  readonly roles: readonly AssignmentView[];
}

/** A newly issued key: `key` is shown this once and never stored. */
export interface IssuedKey {
  readonly client: ApiClientView;
  readonly key: string;
}

/** An API client row with its roles, as the API shows it. */
export function apiClientView(r: ApiClientRow, roles: readonly AssignmentView[]): ApiClientView {
  const { id, name, secretHint, createdAt, rotatedAt, revokedAt, lastUsedAt } = credentialView(r);
  return { id, name, secretHint, createdAt, rotatedAt, revokedAt, lastUsedAt, roles };
}

/** An API client's own role assignments, read inside a write. */
export async function rolesOf(w: OrgWrite, id: string): Promise<AssignmentView[]> {
  const rows = await w.trx
    .selectFrom('assignments')
    .selectAll()
    .where('org_id', '=', w.orgId)
    .where('subject_id', '=', id)
    .orderBy('id')
    .execute();
  return rows.map(assignmentView);
}

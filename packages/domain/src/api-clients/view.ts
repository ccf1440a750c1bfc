/** An API client as the API shows it, and its issued key (shown once). */
import type { ApiClientRow } from '@gatehouse/db';
import type { OrgWrite } from '../org-write.js';
import {
  type AssignmentView,
  assignmentView,
  type CredentialView,
  credentialView,
} from '../rules/index.js';

/** An API client as the API shows it (never its secret), with its own roles. */
export interface ApiClientView extends CredentialView {
  readonly roles: readonly AssignmentView[];
}

/** A newly issued key: `key` is shown this once and never stored. */
export interface IssuedKey {
  readonly client: ApiClientView;
  readonly key: string;
}

/** An API client row with its roles, as the API shows it. */
export function apiClientView(r: ApiClientRow, roles: readonly AssignmentView[]): ApiClientView {
  return { ...credentialView(r), roles };
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

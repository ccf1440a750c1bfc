/** Assignments to users, groups and API clients (R5, R6, T5), by id. */
import type { Environment } from '@gatehouse/core';
import type { Caller } from '../context.js';
import { notFound } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import type { Services } from '../services.js';
import {
  type AssignmentView,
  assignmentView,
  grantRole,
  revokeAssignment,
  subjectTypeOf,
} from './grants.js';

/** Input of `assignRole`. */
export interface AssignInput {
  readonly subjectId: string;
  readonly role: string;
  readonly scopeId?: string | undefined;
  readonly environment?: Environment | null | undefined;
  /** Replace the holder of the role's exclusive slot at that scope (R5). */
  readonly replace?: boolean | undefined;
}

/** Gives a role to a user, group or API client at a scope. */
export async function assignRole(
  s: Services,
  caller: Caller,
  orgId: string,
  input: AssignInput,
): Promise<WriteResult<AssignmentView>> {
  return orgWrite(s, caller, orgId, async (w) => {
    const type = await subjectTypeOf(w, input.subjectId);
    return grantRole(w, { id: input.subjectId, type }, input);
  });
}

/** Takes an assignment away by id. */
export async function revokeRole(
  s: Services,
  caller: Caller,
  orgId: string,
  assignmentId: string,
): Promise<WriteResult<AssignmentView>> {
  return orgWrite(s, caller, orgId, async (w) => {
    const row = await w.trx
      .selectFrom('assignments')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', assignmentId)
      .executeTakeFirst();
    if (!row) throw notFound(`assignment ${assignmentId}`);
    await revokeAssignment(w, row);
    return assignmentView(row);
  });
}

/** Assignments of the org, optionally of one subject or at one scope (`roles.read`). */
export async function listAssignments(
  s: Services,
  caller: Caller,
  orgId: string,
  filter: {
    subjectId?: string | undefined;
    scopeId?: string | undefined;
    cursor?: string | undefined;
    limit?: number | undefined;
  } = {},
): Promise<{ items: AssignmentView[]; nextCursor: string | null }> {
  await authorizeRead(s, caller, orgId, 'roles.read', filter.scopeId ?? orgId);
  const limit = filter.limit ?? 100;
  let q = s.db
    .selectFrom('assignments')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('id')
    .limit(limit + 1);
  if (filter.subjectId) q = q.where('subject_id', '=', filter.subjectId);
  if (filter.scopeId) q = q.where('scope_id', '=', filter.scopeId);
  if (filter.cursor) q = q.where('id', '>', filter.cursor);
  const rows = await q.execute();
  const items = rows.slice(0, limit).map(assignmentView);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}

/**
 * Giving and taking roles inside a write: the rules every path shares (members, groups, API
 * clients, SCIM, invitations). R5 slots, R6 no escalation, T5 environments, and seed 002's move
 * down (./move-down.ts).
 */
import type { Environment } from '@gatehouse/core';
import { type AssignmentRow, newId } from '@gatehouse/db';
import { conflict, invalid, notFound } from '../errors.js';
import type { OrgWrite } from '../org-write.js';
import { assertNoSlotAbove, movedDownBy } from './move-down.js';

/** A role at a scope, as inputs name it. */
export interface RoleAt {
  readonly role: string;
  /** Defaults to the org root. */
  readonly scopeId?: string | undefined;
  readonly environment?: Environment | null | undefined;
}

/** An assignment as the API shows it. */
export interface AssignmentView {
  readonly id: string;
  readonly subjectId: string;
  readonly subjectType: 'user' | 'group' | 'client';
  readonly role: string;
  readonly scopeId: string;
  readonly environment: Environment | null;
  readonly createdAt: string;
}

/** Maps a row to its view. */
export function assignmentView(r: AssignmentRow): AssignmentView {
  return {
    id: r.id,
    subjectId: r.subject_id,
    subjectType: r.subject_type,
    role: r.role_key,
    scopeId: r.scope_id,
    environment: r.environment,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/** The type of an existing subject of the org, found by its id, or NOT_FOUND. */
export async function subjectTypeOf(
  w: OrgWrite,
  subjectId: string,
): Promise<'user' | 'group' | 'client'> {
  const t = w.trx;
  const o = w.orgId;
  if (subjectId.startsWith('usr_')) {
    const m = await t
      .selectFrom('members')
      .select('user_id')
      .where('org_id', '=', o)
      .where('user_id', '=', subjectId)
      .executeTakeFirst();
    if (m) return 'user';
  } else if (subjectId.startsWith('grp_')) {
    const g = await t
      .selectFrom('groups')
      .select('id')
      .where('org_id', '=', o)
      .where('id', '=', subjectId)
      .executeTakeFirst();
    if (g) return 'group';
  } else if (subjectId.startsWith('cli_')) {
    const c = await t
      .selectFrom('api_clients')
      .select('id')
      .where('org_id', '=', o)
      .where('id', '=', subjectId)
      .executeTakeFirst();
    if (c) return 'client';
  }
  throw notFound(`subject ${subjectId} in this organization`);
}

/**
 * Checks a requested set of roles for two roles of one slot at one scope (R5) and, where the
 * preset moves scoped holders down (seed 002), at a scope and one above it: the lower one would
 * end the upper one in the same request.
 */
export function assertNoSlotClash(w: OrgWrite, roles: readonly RoleAt[]): void {
  const seen = new Map<string, string>();
  for (const r of roles) {
    const slot = w.engine.role(r.role)?.slot;
    if (!slot) continue;
    const key = `${r.scopeId ?? w.orgId}\u0000${slot}\u0000${r.environment ?? ''}`;
    const other = seen.get(key);
    if (other) {
      throw invalid(
        `${other} and ${r.role} share the exclusive slot "${slot}"; choose one per scope`,
      );
    }
    seen.set(key, r.role);
  }
  assertNoSlotAbove(w, roles);
}

/**
 * Gives `role` to a subject at a scope. Idempotent (an identical assignment is returned as is).
 * A role in an occupied exclusive slot is refused with CONFLICT unless `replace` is set, in which
 * case the occupant is revoked first (and must itself be revocable by the caller). Where the
 * preset moves scoped holders down (seed 002), a new assignment ends the subject's assignments
 * in that slot above it (`movedDownBy`), each revoked under R6 and audited with the reason.
 */
export async function grantRole(
  w: OrgWrite,
  subject: { id: string; type: 'user' | 'group' | 'client' },
  r: RoleAt & { readonly replace?: boolean | undefined },
): Promise<AssignmentView> {
  const scopeId = r.scopeId ?? w.orgId;
  const environment = r.environment ?? null;
  const preset = w.preset;
  if (environment !== null && !preset.environments) {
    throw invalid(`the ${preset.key} preset has no environments; omit "environment"`);
  }
  if (!w.engine.hasScope(scopeId)) throw notFound(`scope ${scopeId}`);
  w.authorizeAssign({ role: r.role, scopeId, subjectId: subject.id, environment });
  const clashes = w.engine.slotConflicts({
    subject: subject.id,
    role: r.role,
    scope: scopeId,
    environment,
  });
  for (const c of clashes) {
    const row = await loadAssignment(w, c.id);
    if (!row) continue; // already revoked earlier in this write
    if (!r.replace) {
      throw conflict(
        `${subject.id} already holds ${c.roleKey} at ${scopeId}, in the same exclusive slot as ${r.role}; revoke it or pass replace: true`,
        { conflictingAssignmentId: c.id },
      );
    }
    await revokeAssignment(w, row);
  }
  const id = newId('assignment');
  const inserted = await w.trx
    .insertInto('assignments')
    .values({
      org_id: w.orgId,
      id,
      subject_id: subject.id,
      subject_type: subject.type,
      role_key: r.role,
      scope_id: scopeId,
      environment,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!inserted) {
    const existing = await w.trx
      .selectFrom('assignments')
      .selectAll()
      .where('org_id', '=', w.orgId)
      .where('subject_id', '=', subject.id)
      .where('role_key', '=', r.role)
      .where('scope_id', '=', scopeId)
      .where((eb) =>
        environment === null ? eb('environment', 'is', null) : eb('environment', '=', environment),
      )
      .executeTakeFirstOrThrow();
    return assignmentView(existing);
  }
  const view = assignmentView(inserted);
  w.audit({ action: 'RoleAssigned', entityType: 'assignment', entityId: id, scopeId, after: view });
  w.emit('role.assigned', { ...view });
  const kind = w.engine.snapshot.scopes.find((s) => s.id === scopeId)?.kind ?? 'scope';
  for (const above of movedDownBy(w, subject.id, r)) {
    const row = await loadAssignment(w, above.id);
    if (!row) continue; // already revoked earlier in this write
    await revokeAssignment(w, row, { reason: `moved to ${kind} ${scopeId}`, movedTo: id });
  }
  return view;
}

/** Why an assignment ended, when something other than a plain revocation ended it. */
export interface RevokeReason {
  /** Seed 002: `moved to subtenant scp_…`. */
  readonly reason: string;
  /** The assignment that replaced it. */
  readonly movedTo: string;
}

/**
 * Takes an assignment away; the caller must be able to give that role there (R6). Audited as
 * `RoleRevoked`, with `why` (if given) as the entry's `after` and in the event.
 */
export async function revokeAssignment(
  w: OrgWrite,
  row: AssignmentRow,
  why?: RevokeReason,
): Promise<void> {
  w.authorizeAssign({ role: row.role_key, scopeId: row.scope_id, environment: row.environment });
  await w.trx
    .deleteFrom('assignments')
    .where('org_id', '=', w.orgId)
    .where('id', '=', row.id)
    .execute();
  const view = assignmentView(row);
  w.audit({
    action: 'RoleRevoked',
    entityType: 'assignment',
    entityId: row.id,
    scopeId: row.scope_id,
    before: view,
    ...(why ? { after: why } : {}),
  });
  w.emit('role.revoked', { ...view, ...why });
}

/** An assignment row of the org by id, as this write sees it (undefined once revoked). */
async function loadAssignment(w: OrgWrite, id: string): Promise<AssignmentRow | undefined> {
  return w.trx
    .selectFrom('assignments')
    .selectAll()
    .where('org_id', '=', w.orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

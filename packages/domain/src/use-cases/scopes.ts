/** Scopes (T2): create under a parent of an allowed kind, rename, delete (refused while members remain unless cascading). */
import { newId, type ScopeRow } from '@gatehouse/db';
import type { Caller } from '../context.js';
import { conflict, invalid, notFound } from '../errors.js';
import { actingSubjects, assertOrgAccess, orgWrite, type WriteResult } from '../org-write.js';
import type { Services } from '../services.js';
import { revokeAssignment } from './grants.js';

/** A scope as the API shows it. */
export interface ScopeView {
  readonly id: string;
  readonly parentId: string | null;
  readonly kind: string;
  readonly name: string;
  readonly description: string | null;
}

function scopeView(r: ScopeRow): ScopeView {
  return {
    id: r.id,
    parentId: r.parent_id,
    kind: r.kind,
    name: r.name,
    description: r.description,
  };
}

/** Input of `createScope`. */
export interface CreateScopeInput {
  readonly parentId?: string | undefined;
  readonly kind: string;
  readonly name: string;
  readonly description?: string | undefined;
}

/** T2: creates a scope of a preset kind under a parent whose kind allows it (`scopes.create` there). */
export async function createScope(
  s: Services,
  caller: Caller,
  orgId: string,
  input: CreateScopeInput,
): Promise<WriteResult<ScopeView>> {
  return orgWrite(s, caller, orgId, async (w) => {
    const parentId = input.parentId ?? orgId;
    const parent = await w.trx
      .selectFrom('scopes')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', parentId)
      .executeTakeFirst();
    if (!parent) throw notFound(`scope ${parentId}`);
    w.authorize('scopes.create', parentId);
    const kind = w.preset.scopeKinds.find((k) => k.key === input.kind);
    if (!kind || kind.parents.length === 0) {
      const kinds = w.preset.scopeKinds.filter((k) => k.parents.length > 0).map((k) => k.key);
      throw invalid(
        `unknown scope kind "${input.kind}" for the ${w.preset.key} preset; use one of: ${kinds.join(', ')}`,
      );
    }
    if (!kind.parents.includes(parent.kind)) {
      throw invalid(
        `a ${kind.key} cannot be created under a ${parent.kind}; allowed parents: ${kind.parents.join(', ')}`,
      );
    }
    const name = input.name.trim();
    if (!name) throw invalid('name must not be empty');
    const row = await w.trx
      .insertInto('scopes')
      .values({
        org_id: orgId,
        id: newId('scope'),
        parent_id: parentId,
        kind: kind.key,
        name,
        description: input.description ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = scopeView(row);
    w.audit({
      action: 'Created',
      entityType: 'scope',
      entityId: row.id,
      scopeId: row.id,
      after: view,
    });
    w.emit('scope.created', { ...view });
    return view;
  });
}

/** T2: renames or re-describes a scope (`scopes.update` there). */
export async function updateScope(
  s: Services,
  caller: Caller,
  orgId: string,
  input: { scopeId: string; name?: string | undefined; description?: string | null | undefined },
): Promise<WriteResult<ScopeView>> {
  return orgWrite(s, caller, orgId, async (w) => {
    const before = await w.trx
      .selectFrom('scopes')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', input.scopeId)
      .executeTakeFirst();
    if (!before) throw notFound(`scope ${input.scopeId}`);
    w.authorize(input.scopeId === orgId ? 'org.update' : 'scopes.update', input.scopeId);
    if (input.name === undefined && input.description === undefined) {
      throw invalid('nothing to update: send name or description');
    }
    if (input.name !== undefined && !input.name.trim()) throw invalid('name must not be empty');
    const after = await w.trx
      .updateTable('scopes')
      .set({
        ...(input.name !== undefined ? { name: input.name.trim() } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
      })
      .where('org_id', '=', orgId)
      .where('id', '=', input.scopeId)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (input.scopeId === orgId && input.name !== undefined) {
      await w.trx.updateTable('orgs').set({ name: after.name }).where('id', '=', orgId).execute();
    }
    w.audit({
      action: 'Updated',
      entityType: 'scope',
      entityId: after.id,
      scopeId: after.id,
      before: scopeView(before),
      after: scopeView(after),
    });
    w.emit('scope.updated', scopeView(after) as unknown as Record<string, unknown>);
    return scopeView(after);
  });
}

/**
 * T2: deletes a scope and the scopes below it (`scopes.delete` there). Refused with CONFLICT
 * while any assignment sits in that subtree, unless `cascade` (which revokes them, audited).
 */
export async function deleteScope(
  s: Services,
  caller: Caller,
  orgId: string,
  input: { scopeId: string; cascade?: boolean | undefined },
): Promise<WriteResult<{ deletedScopes: number; revokedAssignments: number }>> {
  return orgWrite(s, caller, orgId, async (w) => {
    if (input.scopeId === orgId) throw invalid('the organization root scope cannot be deleted');
    if (!w.engine.hasScope(input.scopeId)) throw notFound(`scope ${input.scopeId}`);
    w.authorize('scopes.delete', input.scopeId);
    const subtree = w.engine.scopesBelow(input.scopeId);
    const held = await w.trx
      .selectFrom('assignments')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('scope_id', 'in', subtree)
      .execute();
    if (held.length > 0 && !input.cascade) {
      throw conflict(
        `scope ${input.scopeId} still holds ${held.length} role assignment(s); remove them or pass cascade: true`,
        {
          assignments: held.length,
        },
      );
    }
    for (const a of held) await revokeAssignment(w, a);
    const rows = await w.trx
      .selectFrom('scopes')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', 'in', subtree)
      .execute();
    // Children first: the parent foreign key refuses orphaning.
    for (const id of [...subtree].reverse()) {
      await w.trx.deleteFrom('scopes').where('org_id', '=', orgId).where('id', '=', id).execute();
    }
    // Groups limited to a deleted scope lose that limit (an empty limit list means: nowhere).
    const groups = await w.trx
      .selectFrom('groups')
      .select(['id', 'limited_to'])
      .where('org_id', '=', orgId)
      .execute();
    for (const g of groups) {
      if (g.limited_to?.some((l) => subtree.includes(l))) {
        await w.trx
          .updateTable('groups')
          .set({ limited_to: g.limited_to.filter((l) => !subtree.includes(l)) })
          .where('org_id', '=', orgId)
          .where('id', '=', g.id)
          .execute();
      }
    }
    for (const r of rows) {
      w.audit({
        action: 'Deleted',
        entityType: 'scope',
        entityId: r.id,
        scopeId: r.parent_id,
        before: scopeView(r),
      });
    }
    w.emit('scope.deleted', { scopeId: input.scopeId, deletedScopes: rows.length });
    return { deletedScopes: rows.length, revokedAssignments: held.length };
  });
}

/** T4: the scopes the caller can see (`scopes.read`); everything for the instance admin. */
export async function listScopes(
  s: Services,
  caller: Caller,
  orgId: string,
  opts: { cursor?: string | undefined; limit?: number | undefined } = {},
): Promise<{ items: ScopeView[]; nextCursor: string | null }> {
  assertOrgAccess(caller, orgId);
  const engine = await s.engines.get(orgId);
  const viewers = actingSubjects(caller, engine);
  const limit = opts.limit ?? 100;
  // T4: a caller sees the scopes where it (and the user it acts for) holds scopes.read.
  const page =
    viewers.length > 0
      ? engine.listScopes(viewers[0]!, 'scopes.read', { cursor: opts.cursor, limit })
      : null;
  const ids = page?.items
    .map((i) => i.id)
    .filter((id) => viewers.every((v) => engine.can(v, 'scopes.read', id)));
  // A caller that may read none of this page's scopes gets an empty page (no query to run).
  if (ids?.length === 0) return { items: [], nextCursor: page!.nextCursor };
  let q = s.db
    .selectFrom('scopes')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('id')
    .limit(limit + 1);
  if (ids) q = q.where('id', 'in', ids);
  else if (opts.cursor) q = q.where('id', '>', opts.cursor);
  const rows = await q.execute();
  const items = rows.slice(0, limit).map(scopeView);
  const nextCursor = page
    ? page.nextCursor
    : rows.length > limit
      ? items[items.length - 1]!.id
      : null;
  return { items, nextCursor };
}

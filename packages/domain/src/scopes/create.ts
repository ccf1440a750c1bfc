/** T2: create a scope (project, workspace, sub-organization) under another. */

import { newId } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { invalid, notFound } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { type ScopeView, scopeView } from './view.js';

/** Input of `createScope`. */
export interface CreateScopeInput {
  readonly parentId?: string | undefined;
  readonly kind: string;
  readonly name: string;
  readonly description?: string | undefined;
  /** An http(s) image URL (seed 001: "name, description, and avatar"). */
  readonly avatarUrl?: string | null | undefined;
}

/** T2: creates a scope of a preset kind under a parent whose kind allows it (`scopes.create` there). */
export async function createScope(
  call: OrgCall,
  input: CreateScopeInput,
): Promise<WriteResult<ScopeView>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
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
        avatar_url: input.avatarUrl ?? null,
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

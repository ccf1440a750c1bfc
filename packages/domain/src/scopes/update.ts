/** T2: rename or move a scope. */
import type { OrgCall } from '../call.js';
import { invalid, notFound } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { type ScopeView, scopeView } from './view.js';

/** Input of `updateScope`: fields left out stay as they are; null clears. */
export interface UpdateScopeInput {
  readonly scopeId: string;
  readonly name?: string | undefined;
  readonly description?: string | null | undefined;
  /** Seed 001: "Edit workspace details like the name, description, and avatar". */
  readonly avatarUrl?: string | null | undefined;
}

/**
 * T2: renames, re-describes or changes the avatar of a scope (`scopes.update` there;
 * `org.update` for the root scope, whose name and avatar are the org's).
 */
export async function updateScope(
  call: OrgCall,
  input: UpdateScopeInput,
): Promise<WriteResult<ScopeView>> {
  const { orgId } = call;
  return orgWrite(call, async (w) => {
    const before = await w.trx
      .selectFrom('scopes')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', input.scopeId)
      .executeTakeFirst();
    if (!before) throw notFound(`scope ${input.scopeId}`);
    w.authorize(input.scopeId === orgId ? 'org.update' : 'scopes.update', input.scopeId);
    if (
      input.name === undefined &&
      input.description === undefined &&
      input.avatarUrl === undefined
    ) {
      throw invalid('nothing to update: send name, description or avatarUrl');
    }
    if (input.name !== undefined && !input.name.trim()) throw invalid('name must not be empty');
    const after = await w.trx
      .updateTable('scopes')
      .set({
        ...(input.name !== undefined ? { name: input.name.trim() } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.avatarUrl !== undefined ? { avatar_url: input.avatarUrl } : {}),
      })
      .where('org_id', '=', orgId)
      .where('id', '=', input.scopeId)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (input.scopeId === orgId && (input.name !== undefined || input.avatarUrl !== undefined)) {
      await w.trx
        .updateTable('orgs')
        .set({ name: after.name, avatar_url: after.avatar_url })
        .where('id', '=', orgId)
        .execute();
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

/** T1: rename an organization or change its settings. */

import { retentionDays } from '../audit/index.js';
import type { OrgCall } from '../call.js';
import { conflict, invalid, isUniqueViolation } from '../errors.js';
import { requiresMfa } from '../mfa/index.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { SLUG_RE } from './create.js';
import { type OrgView, orgView } from './view.js';

/** Input of `updateOrg`: fields left out stay as they are. */
export interface UpdateOrgInput {
  readonly name?: string | undefined;
  readonly slug?: string | undefined;
  readonly description?: string | null | undefined;
  readonly avatarUrl?: string | null | undefined;
  /** Merged into the current settings; a key set to null is removed. */
  readonly settings?: Record<string, unknown> | undefined;
}

/** T1: rename, describe, change avatar, slug or settings (needs `org.update` at the root). */
export async function updateOrg(
  call: OrgCall,
  input: UpdateOrgInput,
): Promise<WriteResult<OrgView>> {
  const { orgId } = call;
  if (input.slug !== undefined && !SLUG_RE.test(input.slug)) {
    throw invalid('slug must be 1–63 lower-case letters, digits or dashes');
  }
  if (input.name !== undefined && !input.name.trim()) throw invalid('name must not be empty');
  try {
    return await orgWrite(call, async (w) => {
      w.authorize('org.update', orgId);
      const before = await w.trx
        .selectFrom('orgs')
        .selectAll()
        .where('id', '=', orgId)
        .executeTakeFirstOrThrow();
      const settings = { ...before.settings };
      for (const [k, v] of Object.entries(input.settings ?? {})) {
        if (v === null) delete settings[k];
        else settings[k] = v;
      }
      retentionDays(settings); // A4: auditRetentionDays must be whole days, 1–36500
      requiresMfa(settings); // issue 14: requireMfa is true or false
      const after = await w.trx
        .updateTable('orgs')
        .set({
          ...(input.name !== undefined ? { name: input.name.trim() } : {}),
          ...(input.slug !== undefined ? { slug: input.slug } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.avatarUrl !== undefined ? { avatar_url: input.avatarUrl } : {}),
          settings: JSON.stringify(settings),
        })
        .where('id', '=', orgId)
        .returningAll()
        .executeTakeFirstOrThrow();
      // The root scope is the org: its name and avatar follow the org's.
      if (input.name !== undefined || input.avatarUrl !== undefined) {
        await w.trx
          .updateTable('scopes')
          .set({ name: after.name, avatar_url: after.avatar_url })
          .where('org_id', '=', orgId)
          .where('id', '=', orgId)
          .execute();
      }
      const pick = (r: typeof before) => ({
        name: r.name,
        slug: r.slug,
        description: r.description,
        avatarUrl: r.avatar_url,
        settings: r.settings,
      });
      w.audit({
        action: 'Updated',
        entityType: 'org',
        entityId: orgId,
        scopeId: orgId,
        before: pick(before),
        after: pick(after),
      });
      w.emit('org.updated', { changes: Object.keys(input) });
      return orgView(after);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`slug "${input.slug}" is taken`);
    throw e;
  }
}

/** T1: create an organization on a preset, with its first owner. */

import { type Database, newId, type Transaction } from '@gatehouse/db';
import type { Call } from '../call.js';
import { principalOrg } from '../context.js';
import { conflict, forbidden, invalid, isUniqueViolation } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { addFirstOwner, insertOrgRows, lockPresetKey, recordOrgCreated } from '../rules/index.js';
import { type OrgView, orgView } from './view.js';

export { slugify } from '../rules/index.js';

/** Input of `createOrg`. */
export interface CreateOrgInput {
  readonly name: string;
  readonly preset: string;
  readonly slug?: string | undefined;
  readonly description?: string | undefined;
  /** The first Owner (the preset's owner role at the root). */
  readonly owner?: { readonly email: string; readonly name?: string | undefined } | undefined;
}

/** What an org slug may be. */
export const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * T1: creates an organization with its root scope and, when given, its first Owner — one
 * transaction, audited. Only the instance admin (or the system) may create organizations.
 */
export async function createOrg(call: Call, input: CreateOrgInput): Promise<WriteResult<OrgView>> {
  const { caller, services: s } = call;
  if (principalOrg(caller.principal) !== null) {
    throw forbidden('only the instance admin key can create organizations');
  }
  const name = input.name.trim();
  if (!name) throw invalid('name must not be empty');
  if (input.slug !== undefined && !SLUG_RE.test(input.slug)) {
    throw invalid(
      'slug must be 1–63 lower-case letters, digits or dashes, not starting or ending with a dash',
    );
  }
  const orgId = newId('org');
  try {
    let slug = '';
    const prepare = async (trx: Transaction<Database>) => {
      // A stored preset: the newest version, which no apply replaces until this commits.
      if (!s.presets.get(input.preset)) await lockPresetKey(trx, input.preset, 'shared');
      const preset = await s.presetStore.latest(trx, input.preset);
      slug = await insertOrgRows(trx, {
        id: orgId,
        name,
        preset,
        slug: input.slug,
        description: input.description,
      });
    };
    return await orgWrite(
      { services: s, caller, orgId },
      async (w) => {
        const org = await w.trx
          .selectFrom('orgs')
          .selectAll()
          .where('id', '=', orgId)
          .executeTakeFirstOrThrow();
        recordOrgCreated(w, { name, slug, preset: w.preset });
        if (input.owner) await addFirstOwner(w, input.owner);
        return orgView(org);
      },
      { prepare },
    );
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`slug "${input.slug}" is taken`);
    throw e;
  }
}

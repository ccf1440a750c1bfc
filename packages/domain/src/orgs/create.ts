/** T1: create an organization on a preset, with its first owner. */

import { type Database, newId, type Transaction } from '@gatehouse/db';
import type { Call } from '../call.js';
import { principalOrg } from '../context.js';
import { conflict, forbidden, invalid, isUniqueViolation } from '../errors.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { ensureMember, presetOrThrow } from '../rules/index.js';
import { type OrgView, orgView } from './view.js';

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

/** A slug from a name: lower case, dashes, at most 63 characters. */
export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '');
  return s || 'org';
}

/**
 * T1: creates an organization with its root scope and, when given, its first Owner — one
 * transaction, audited. Only the instance admin (or the system) may create organizations.
 */
export async function createOrg(call: Call, input: CreateOrgInput): Promise<WriteResult<OrgView>> {
  const { caller, services: s } = call;
  if (principalOrg(caller.principal) !== null) {
    throw forbidden('only the instance admin key can create organizations');
  }
  const preset = presetOrThrow(s.presets, input.preset);
  const name = input.name.trim();
  if (!name) throw invalid('name must not be empty');
  if (input.slug !== undefined && !SLUG_RE.test(input.slug)) {
    throw invalid(
      'slug must be 1–63 lower-case letters, digits or dashes, not starting or ending with a dash',
    );
  }
  const orgId = newId('org');
  try {
    let slug = input.slug ?? '';
    const prepare = async (trx: Transaction<Database>) => {
      slug = input.slug ?? (await freeSlug(trx, slugify(name)));
      await trx
        .insertInto('orgs')
        .values({
          id: orgId,
          slug,
          name,
          description: input.description ?? null,
          avatar_url: null,
          preset: preset.key,
          settings: '{}',
          revision: 0,
          updated_at: new Date(),
        })
        .execute();
      await trx
        .insertInto('scopes')
        .values({
          org_id: orgId,
          id: orgId,
          parent_id: null,
          kind: preset.rootKind,
          name,
          description: null,
        })
        .execute();
    };
    return await orgWrite(
      { services: s, caller, orgId },
      async (w) => {
        const org = await w.trx
          .selectFrom('orgs')
          .selectAll()
          .where('id', '=', orgId)
          .executeTakeFirstOrThrow();
        w.audit({
          action: 'Created',
          entityType: 'org',
          entityId: orgId,
          scopeId: orgId,
          after: { name, slug, preset: preset.key },
        });
        w.emit('org.created', { name, slug, preset: preset.key });
        if (input.owner) {
          const user = await ensureMember(w, input.owner.email, input.owner.name);
          const id = newId('assignment');
          await w.trx
            .insertInto('assignments')
            .values({
              org_id: orgId,
              id,
              subject_id: user.id,
              subject_type: 'user',
              role_key: preset.ownerRole,
              scope_id: orgId,
              environment: null,
            })
            .execute();
          w.audit({
            action: 'RoleAssigned',
            entityType: 'assignment',
            entityId: id,
            scopeId: orgId,
            after: { subjectId: user.id, role: preset.ownerRole },
          });
        }
        return orgView(org);
      },
      { prepare },
    );
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`slug "${input.slug}" is taken`);
    throw e;
  }
}

async function freeSlug(trx: Transaction<Database>, base: string): Promise<string> {
  const taken = new Set(
    (
      await trx
        .selectFrom('orgs')
        .select('slug')
        .where((eb) => eb.or([eb('slug', '=', base), eb('slug', 'like', `${base}-%`)]))
        .execute()
    ).map((r) => r.slug),
  );
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) {
    const candidate = `${base.slice(0, 58)}-${i}`;
    if (!taken.has(candidate)) return candidate;
  }
}

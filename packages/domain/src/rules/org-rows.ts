/**
 * How an organization begins (T1), shared by `createOrg` and by the organization of their own a
 * user gets on joining a seed 004 org (./personal-org.ts): the org row with a free slug and its
 * root scope (written before the org's first write locks it), then, inside that first write,
 * the `Created` entry that starts the org's audit chain and its first Owner.
 */
import type { Preset } from '@gatehouse/core';
import { type Database, newId, type Transaction } from '@gatehouse/db';
import type { OrgWrite } from '../org-write.js';
import { type EnsuredUser, ensureMember } from './people.js';

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

/** The rows a new organization starts with. */
export interface NewOrg {
  readonly id: string;
  readonly name: string;
  readonly preset: Preset;
  /** Taken as given (a taken one fails with a unique violation); none: a free one from the name. */
  readonly slug?: string | undefined;
  readonly description?: string | null | undefined;
}

/** Inserts the org row (revision 0) and its root scope; returns the slug it got. */
export async function insertOrgRows(trx: Transaction<Database>, org: NewOrg): Promise<string> {
  const row = (slug: string) => ({
    id: org.id,
    slug,
    name: org.name,
    description: org.description ?? null,
    avatar_url: null,
    preset: org.preset.key,
    preset_version: org.preset.version ?? null,
    settings: '{}',
    revision: 0,
    updated_at: new Date(),
  });
  let slug = org.slug;
  if (slug !== undefined) {
    await trx.insertInto('orgs').values(row(slug)).execute();
  } else {
    // A free slug can be taken by a concurrent creation before this insert: skip it, not fail
    // (a unique violation would abort the whole transaction, the triggering write with it).
    for (let attempt = 0; slug === undefined; attempt++) {
      const candidate =
        attempt < 5
          ? await freeSlug(trx, slugify(org.name))
          : `${slugify(org.name).slice(0, 50)}-${org.id.slice(-8)}`;
      const inserted = await trx
        .insertInto('orgs')
        .values(row(candidate))
        .onConflict((oc) => oc.column('slug').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted) slug = candidate;
    }
  }
  await trx
    .insertInto('scopes')
    .values({
      org_id: org.id,
      id: org.id,
      parent_id: null,
      kind: org.preset.rootKind,
      name: org.name,
      description: null,
    })
    .execute();
  return slug;
}

/** Audits and announces the creation, inside the org's first write (its audit chain's first entry). */
export function recordOrgCreated(
  w: OrgWrite,
  org: { readonly name: string; readonly slug: string; readonly preset: Preset },
  extra: Record<string, unknown> = {},
): void {
  const facts = { name: org.name, slug: org.slug, preset: org.preset.key, ...extra };
  w.audit({
    action: 'Created',
    entityType: 'org',
    entityId: w.orgId,
    scopeId: w.orgId,
    after: facts,
  });
  w.emit('org.created', facts);
}

/** Makes the user with `email` (created if new) a member holding the preset's owner role at the root. Audited. */
export async function addFirstOwner(
  w: OrgWrite,
  owner: { readonly email: string; readonly name?: string | null | undefined },
): Promise<EnsuredUser> {
  const user = await ensureMember(w, owner.email, owner.name);
  const id = newId('assignment');
  await w.trx
    .insertInto('assignments')
    .values({
      org_id: w.orgId,
      id,
      subject_id: user.id,
      subject_type: 'user',
      role_key: w.preset.ownerRole,
      scope_id: w.orgId,
      environment: null,
    })
    .execute();
  w.audit({
    action: 'RoleAssigned',
    entityType: 'assignment',
    entityId: id,
    scopeId: w.orgId,
    after: { subjectId: user.id, role: w.preset.ownerRole },
  });
  return user;
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

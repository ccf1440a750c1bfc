/** Organizations (T1): create with a preset, update, read, list. */
import { type Database, newId, type Transaction } from '@gatehouse/db';
import { type Caller, principalOrg } from '../context.js';
import { conflict, forbidden, invalid, isUniqueViolation, notFound } from '../errors.js';
import { assertOrgAccess, orgWrite, type WriteResult } from '../org-write.js';
import { presetOrThrow } from '../presets.js';
import type { Services } from '../services.js';
import { retentionDays } from './audit-integrity.js';
import { ensureMember } from './people.js';

/** An organization as the API shows it. */
export interface OrgView {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly description: string | null;
  readonly avatarUrl: string | null;
  readonly preset: string;
  readonly settings: Record<string, unknown>;
  readonly revision: number;
  readonly createdAt: string;
}

/** Input of `createOrg`. */
export interface CreateOrgInput {
  readonly name: string;
  readonly preset: string;
  readonly slug?: string | undefined;
  readonly description?: string | undefined;
  /** The first Owner (the preset's owner role at the root). */
  readonly owner?: { readonly email: string; readonly name?: string | undefined } | undefined;
}

const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

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

/** Maps an org row to its view. */
export function orgView(r: OrgRowLike): OrgView {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    description: r.description,
    avatarUrl: r.avatar_url,
    preset: r.preset,
    settings: r.settings,
    revision: r.revision,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

interface OrgRowLike {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  avatar_url: string | null;
  preset: string;
  settings: Record<string, unknown>;
  revision: number;
  created_at: Date;
}

/**
 * T1: creates an organization with its root scope and, when given, its first Owner — one
 * transaction, audited. Only the instance admin (or the system) may create organizations.
 */
export async function createOrg(
  s: Services,
  caller: Caller,
  input: CreateOrgInput,
): Promise<WriteResult<OrgView>> {
  if (principalOrg(caller.principal) !== null) {
    throw forbidden('only the instance admin key can create organizations');
  }
  const preset = presetOrThrow(input.preset);
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
      s,
      caller,
      orgId,
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
  s: Services,
  caller: Caller,
  orgId: string,
  input: UpdateOrgInput,
): Promise<WriteResult<OrgView>> {
  if (input.slug !== undefined && !SLUG_RE.test(input.slug)) {
    throw invalid('slug must be 1–63 lower-case letters, digits or dashes');
  }
  if (input.name !== undefined && !input.name.trim()) throw invalid('name must not be empty');
  try {
    return await orgWrite(s, caller, orgId, async (w) => {
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
      if (input.name !== undefined) {
        await w.trx
          .updateTable('scopes')
          .set({ name: input.name.trim() })
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

/** T1: one organization (an API client sees only its own). */
export async function getOrg(s: Services, caller: Caller, orgId: string): Promise<OrgView> {
  assertOrgAccess(caller, orgId);
  const row = await s.db.selectFrom('orgs').selectAll().where('id', '=', orgId).executeTakeFirst();
  if (!row) throw notFound(`organization ${orgId}`);
  return orgView(row);
}

/** Organizations the caller can see: all for the instance admin, its own for an org-bound caller. */
export async function listOrgs(
  s: Services,
  caller: Caller,
  opts: { cursor?: string | undefined; limit?: number | undefined } = {},
): Promise<{ items: OrgView[]; nextCursor: string | null }> {
  const limit = opts.limit ?? 100;
  let q = s.db
    .selectFrom('orgs')
    .selectAll()
    .orderBy('id')
    .limit(limit + 1);
  const own = principalOrg(caller.principal);
  if (own !== null) q = q.where('id', '=', own);
  if (opts.cursor) q = q.where('id', '>', opts.cursor);
  const rows = await q.execute();
  const items = rows.slice(0, limit).map(orgView);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}

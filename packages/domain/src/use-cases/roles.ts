/** Roles (R3): the preset's built-in roles plus the org's custom roles. */
import { expandPatterns, type RoleDef } from '@gatehouse/core';
import type { RoleRow } from '@gatehouse/db';
import type { Caller } from '../context.js';
import { conflict, invalid, isUniqueViolation, notFound } from '../errors.js';
import { authorizeRead } from '../org-read.js';
import { type OrgWrite, orgWrite, type WriteResult } from '../org-write.js';
import type { Services } from '../services.js';

/** A role as the API shows it, with its permissions expanded and sensitive ones named (R7). */
export interface RoleView {
  readonly key: string;
  readonly name: string;
  readonly description: string | null;
  readonly permissions: readonly string[];
  readonly sensitivePermissions: readonly string[];
  readonly slot: string | null;
  readonly scopeKinds: readonly string[] | null;
  readonly builtIn: boolean;
}

/** Input of `createRole` / `updateRole`. */
export interface RoleInput {
  readonly key?: string | undefined;
  readonly name: string;
  readonly description?: string | null | undefined;
  readonly permissions: readonly string[];
  readonly slot?: string | null | undefined;
  readonly scopeKinds?: readonly string[] | null | undefined;
}

const KEY_RE = /^[a-z][a-z0-9_]{1,62}$/;

function view(w: { engine: OrgWrite['engine'] }, r: RoleDef): RoleView {
  const perms = w.engine.snapshot.permissions;
  const { names } = expandPatterns(perms, r.permissions);
  const sensitive = new Set(perms.filter((p) => p.sensitive).map((p) => p.name));
  return {
    key: r.key,
    name: r.name,
    description: r.description ?? null,
    permissions: names,
    sensitivePermissions: names.filter((n) => sensitive.has(n)),
    slot: r.slot,
    scopeKinds: r.scopeKinds,
    builtIn: r.builtIn,
  };
}

function rowToDef(r: RoleRow): RoleDef {
  return {
    key: r.key,
    name: r.name,
    ...(r.description ? { description: r.description } : {}),
    permissions: r.permissions,
    slot: r.slot,
    scopeKinds: r.scope_kinds,
    builtIn: false,
  };
}

function validate(w: OrgWrite, input: RoleInput): void {
  if (!input.name.trim()) throw invalid('name must not be empty');
  if (input.permissions.length === 0) throw invalid('a role needs at least one permission');
  const { names, unknown } = expandPatterns(w.engine.snapshot.permissions, input.permissions);
  if (unknown.length) throw invalid(`unknown permission(s): ${unknown.join(', ')}`);
  // R6 for role definitions: nobody defines a role carrying more than they hold at the root.
  w.authorizeHolding(names, w.orgId);
  for (const k of input.scopeKinds ?? []) {
    if (!w.preset.scopeKinds.some((sk) => sk.key === k)) throw invalid(`unknown scope kind "${k}"`);
  }
}

/** R3: built-in and custom roles of the org. */
export async function listRoles(s: Services, caller: Caller, orgId: string): Promise<RoleView[]> {
  const engine = await authorizeRead(s, caller, orgId, 'roles.read', orgId);
  return engine.snapshot.roles.map((r) => view({ engine }, r));
}

/** R3: defines a custom role (`roles.manage` at the root). */
export async function createRole(
  s: Services,
  caller: Caller,
  orgId: string,
  input: RoleInput,
): Promise<WriteResult<RoleView>> {
  const key =
    input.key ??
    `custom_${input.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 50)}`;
  if (!KEY_RE.test(key))
    throw invalid('key must be 2–63 characters: a-z, 0-9, _; starting with a letter');
  try {
    return await orgWrite(s, caller, orgId, async (w) => {
      w.authorize('roles.manage', orgId);
      validate(w, input);
      if (w.engine.role(key)) throw conflict(`role "${key}" already exists`);
      const row = await w.trx
        .insertInto('roles')
        .values({
          org_id: orgId,
          key,
          name: input.name.trim(),
          description: input.description ?? null,
          permissions: [...input.permissions],
          slot: input.slot ?? null,
          scope_kinds: input.scopeKinds ? [...input.scopeKinds] : null,
          updated_at: new Date(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const v = view(w, rowToDef(row));
      w.audit({ action: 'Created', entityType: 'role', entityId: key, scopeId: orgId, after: v });
      w.emit('role.created', { ...v });
      return v;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`role "${key}" already exists`);
    throw e;
  }
}

/** R3: changes a custom role (built-in roles are fixed by the preset). */
export async function updateRole(
  s: Services,
  caller: Caller,
  orgId: string,
  input: RoleInput & { key: string },
): Promise<WriteResult<RoleView>> {
  return orgWrite(s, caller, orgId, async (w) => {
    w.authorize('roles.manage', orgId);
    const before = w.engine.role(input.key);
    if (!before) throw notFound(`role ${input.key}`);
    if (before.builtIn)
      throw invalid(`built-in role ${input.key} cannot be changed; create a custom role`);
    validate(w, input);
    const row = await w.trx
      .updateTable('roles')
      .set({
        name: input.name.trim(),
        description: input.description ?? null,
        permissions: [...input.permissions],
        slot: input.slot ?? null,
        scope_kinds: input.scopeKinds ? [...input.scopeKinds] : null,
        updated_at: new Date(),
      })
      .where('org_id', '=', orgId)
      .where('key', '=', input.key)
      .returningAll()
      .executeTakeFirstOrThrow();
    const v = view(w, rowToDef(row));
    w.audit({
      action: 'Updated',
      entityType: 'role',
      entityId: input.key,
      scopeId: orgId,
      before: view(w, before),
      after: v,
    });
    w.emit('role.updated', { ...v });
    return v;
  });
}

/** R3: deletes a custom role; refused with CONFLICT while it is assigned. */
export async function deleteRole(
  s: Services,
  caller: Caller,
  orgId: string,
  key: string,
): Promise<WriteResult<{ key: string }>> {
  return orgWrite(s, caller, orgId, async (w) => {
    w.authorize('roles.manage', orgId);
    const before = w.engine.role(key);
    if (!before) throw notFound(`role ${key}`);
    if (before.builtIn) throw invalid(`built-in role ${key} cannot be deleted`);
    const used = await w.trx
      .selectFrom('assignments')
      .select('id')
      .where('org_id', '=', orgId)
      .where('role_key', '=', key)
      .limit(1)
      .execute();
    if (used.length) throw conflict(`role ${key} is still assigned; revoke its assignments first`);
    await w.trx.deleteFrom('roles').where('org_id', '=', orgId).where('key', '=', key).execute();
    w.audit({
      action: 'Deleted',
      entityType: 'role',
      entityId: key,
      scopeId: orgId,
      before: view(w, before),
    });
    w.emit('role.deleted', { key });
    return { key };
  });
}

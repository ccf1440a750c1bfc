/**
 * The escalation oracle: the two access rules and the invariants, checked by brute force on
 * fresh engines and raw rows before and after a write, independently of how the domain enforces
 * them (packages/domain/src/access-rules.ts). A violation is a sentence naming who gained or
 * lost what, where, through whom.
 */
import {
  createEngine,
  type Engine,
  type Environment,
  expandPatterns,
  findInvariantViolations,
  type OrgSnapshot,
  PresetRegistry,
} from '@gatehouse/core';
import { type DB, sql } from '@gatehouse/db';
import { loadSnapshot, PresetStore } from '@gatehouse/domain';

/** Everything the oracle compares, read in one go. */
export interface OrgState {
  readonly revision: number;
  readonly engine: Engine;
  /** Subject id → a fingerprint of its account, membership, key and sessions. */
  readonly rows: ReadonlyMap<string, string>;
  /** SCIM token id → a fingerprint of its secret and status. */
  readonly scimTokens: ReadonlyMap<string, string>;
}

/** The oracle runs on the built-in presets. */
const PRESETS = new PresetStore(PresetRegistry.withBuiltIns());

const ENVS: ReadonlyArray<Environment | undefined> = [undefined, 'live', 'sandbox'];

/** Reads the org's state outside any write. */
export async function readState(db: DB, orgId: string): Promise<OrgState> {
  const snapshot = await loadSnapshot(db, orgId, PRESETS);
  const { rows: users } = await sql<{ id: string; fp: string }>`
    select u.id, concat_ws('|', u.email, u.name, u.password_hash, m.status,
           (select string_agg(s.id || ':' || coalesce(s.revoked_at::text, ''), ',' order by s.id)
              from sessions s where s.org_id = m.org_id and s.user_id = u.id)) as fp
      from members m join users u on u.id = m.user_id where m.org_id = ${orgId}`.execute(db);
  const { rows: clients } = await sql<{ id: string; fp: string }>`
    select id, concat_ws('|', secret_hash, revoked_at::text) as fp
      from api_clients where org_id = ${orgId}`.execute(db);
  const { rows: tokens } = await sql<{ id: string; fp: string }>`
    select id, concat_ws('|', secret_hash, revoked_at::text) as fp
      from scim_tokens where org_id = ${orgId}`.execute(db);
  return {
    revision: snapshot.revision,
    engine: createEngine(snapshot),
    rows: new Map([...users, ...clients].map((r) => [r.id, r.fp])),
    scimTokens: new Map(tokens.map((r) => [r.id, r.fp])),
  };
}

/** Every way the change from `before` to `after` breaks a rule for one of `actors`. */
export function violations(before: OrgState, after: OrgState, actors: readonly string[]): string[] {
  const out: string[] = [];
  const b = before.engine;
  const a = after.engine;
  const held = (e: Engine, s: string, scope: string, env: Environment | undefined) =>
    new Set(e.effectivePermissions(s, scope, env));
  const lacks = (
    actor: string,
    scope: string,
    env: Environment | undefined,
    perms: Iterable<string>,
  ) => {
    const mine = held(b, actor, scope, env);
    return [...perms].filter((p) => !mine.has(p));
  };
  const envName = (env: Environment | undefined) => env ?? 'both';

  // Grant: nobody holds, after, anything at a scope that an actor did not hold there.
  for (const subject of a.snapshot.subjects) {
    for (const scope of a.snapshot.scopes) {
      const base = nearestKnown(b.snapshot, a.snapshot, scope.id);
      if (!base) continue;
      for (const env of ENVS) {
        const was = held(b, subject.id, base, env);
        const gained = [...held(a, subject.id, scope.id, env)].filter((p) => !was.has(p));
        if (gained.length === 0) continue;
        for (const actor of actors) {
          const missing = lacks(actor, base, env, gained);
          if (missing.length > 0) {
            out.push(
              `grant: ${subject.id} gained ${missing.join(',')} at ${scope.id} (${envName(env)}), which ${actor} lacks`,
            );
          }
        }
      }
    }
  }

  // Target: an assignment reaching a subject was taken away only by someone above it there.
  const pathsAfter = grantPaths(a.snapshot);
  for (const [subject, paths] of grantPaths(b.snapshot)) {
    const now = pathsAfter.get(subject) ?? new Map();
    for (const [key, path] of paths) {
      if (now.has(key)) continue;
      for (const actor of actors) {
        if (actor === subject) continue;
        const env = path.environment ?? undefined;
        const missing = lacks(actor, path.scopeId, env, held(b, subject, path.scopeId, env));
        if (missing.length > 0) {
          out.push(
            `target: ${actor} took ${key} from ${subject} at ${path.scopeId}; ${subject} holds ${missing.join(',')} there, ${actor} does not`,
          );
        }
      }
    }
  }

  // Target: an account, key or session changed only by someone above its subject everywhere.
  for (const [subject, fp] of before.rows) {
    if (after.rows.get(subject) === fp || !after.rows.has(subject)) continue;
    for (const actor of actors) {
      if (actor === subject) continue;
      for (const scope of b.snapshot.scopes) {
        for (const env of ENVS) {
          const missing = lacks(actor, scope.id, env, held(b, subject, scope.id, env));
          if (missing.length > 0) {
            out.push(
              `target: ${actor} changed ${subject}'s account, key or sessions; ${subject} holds ${missing.join(',')} at ${scope.id}, ${actor} does not`,
            );
          }
        }
      }
    }
  }

  // Roles and SCIM directories: only what the actor holds at the root.
  const root = b.snapshot.scopes.find((s) => s.parentId === null)!.id;
  const rolePerms = (snap: OrgSnapshot, key: string) =>
    expandPatterns(snap.permissions, snap.roles.find((r) => r.key === key)?.permissions ?? [])
      .names;
  for (const role of a.snapshot.roles) {
    const was = b.snapshot.roles.find((r) => r.key === role.key);
    if (was && was.permissions.join() === role.permissions.join()) continue;
    for (const actor of actors) {
      const missing = lacks(actor, root, undefined, rolePerms(a.snapshot, role.key));
      if (missing.length > 0) {
        out.push(`role: ${actor} defined ${role.key} with ${missing.join(',')}, which it lacks`);
      }
    }
  }
  const tokensChanged = [...after.scimTokens].some(([id, fp]) => before.scimTokens.get(id) !== fp);
  if (tokensChanged) {
    const all = new Set(b.snapshot.roles.flatMap((r) => rolePerms(b.snapshot, r.key)));
    for (const actor of actors) {
      const missing = lacks(actor, root, undefined, all);
      if (missing.length > 0) {
        out.push(`scim: ${actor} minted or changed a SCIM token without ${missing.join(',')}`);
      }
    }
  }

  for (const v of findInvariantViolations(a.snapshot)) out.push(`invariant: ${v.message}`);
  return out;
}

/** `scopeId` of `after`, or its nearest ancestor that `before` knows. */
function nearestKnown(before: OrgSnapshot, after: OrgSnapshot, scopeId: string): string | null {
  const known = new Set(before.scopes.map((s) => s.id));
  const parent = new Map(after.scopes.map((s) => [s.id, s.parentId]));
  for (let s: string | null | undefined = scopeId; s; s = parent.get(s)) {
    if (known.has(s)) return s;
  }
  return null;
}

interface Path {
  readonly scopeId: string;
  readonly environment: Environment | null;
}

/**
 * Subject → the assignments that take effect for it (own, and its active groups'), keyed by
 * assignment and group, computed from the raw snapshot: skipped ones (a role not allowed at the
 * scope's kind, a group limited elsewhere, an unknown role or scope) do not count.
 */
function grantPaths(snap: OrgSnapshot): Map<string, Map<string, Path>> {
  const scopes = new Map(snap.scopes.map((s) => [s.id, s]));
  const roles = new Map(snap.roles.map((r) => [r.key, r]));
  const subjects = new Map(snap.subjects.map((s) => [s.id, s]));
  const within = (scopeId: string, limit: string) => {
    for (let s: string | null | undefined = scopeId; s; s = scopes.get(s)?.parentId) {
      if (s === limit) return true;
    }
    return false;
  };
  const takesEffect = (holder: string, a: OrgSnapshot['assignments'][number]) => {
    const scope = scopes.get(a.scopeId);
    const role = roles.get(a.roleKey);
    if (!scope || !role) return false;
    if (role.scopeKinds && !role.scopeKinds.includes(scope.kind)) return false;
    const h = subjects.get(holder);
    if (h?.type === 'group' && h.limitedTo) return h.limitedTo.some((l) => within(a.scopeId, l));
    return true;
  };
  const out = new Map<string, Map<string, Path>>();
  const add = (subject: string, holder: string, via: string) => {
    const m = out.get(subject) ?? new Map<string, Path>();
    out.set(subject, m);
    for (const a of snap.assignments) {
      if (a.subjectId !== holder || !takesEffect(holder, a)) continue;
      m.set(`${a.id}${via ? ` via ${via}` : ''}`, {
        scopeId: a.scopeId,
        environment: a.environment,
      });
    }
  };
  for (const s of snap.subjects) {
    if (!s.active) continue;
    add(s.id, s.id, '');
  }
  for (const m of snap.memberships) {
    if (subjects.get(m.memberId)?.active && subjects.get(m.groupId)?.active) {
      add(m.memberId, m.groupId, m.groupId);
    }
  }
  return out;
}

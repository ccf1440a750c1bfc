/**
 * Inputs for any procedure, made from its zod schema: the shape comes from the schema, the
 * values from pools of what exists in the org (ids, role keys, permissions, emails), chosen by
 * the field's name, so a random write names real subjects and scopes most of the time. Used by
 * the generated escalation tests; a new procedure is covered without editing them.
 */
import type { z } from 'zod';

/** What exists in the org now, by kind. */
export interface Pools {
  readonly orgId: string;
  readonly users: readonly string[];
  readonly groups: readonly string[];
  readonly clients: readonly string[];
  readonly scopes: readonly string[];
  readonly assignments: readonly string[];
  readonly invitations: readonly string[];
  readonly scimTokens: readonly string[];
  readonly sessions: readonly string[];
  readonly ssoConnections: readonly string[];
  /** Claimed domains (`dom_…`) of the org. */
  readonly domains: readonly string[];
  readonly roles: readonly string[];
  readonly customRoles: readonly string[];
  readonly permissions: readonly string[];
  readonly scopeKinds: readonly string[];
  readonly emails: readonly string[];
  readonly presets: readonly string[];
  /** A password the org's people have (so `currentPassword` is sometimes right). */
  readonly password?: string | undefined;
}

/** A deterministic source of choices (seeded by fast-check, so runs replay). */
export class Choices {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  /** A float in [0, 1). */
  next(): number {
    // xorshift32
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 2 ** 32;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T | undefined {
    return list.length === 0 ? undefined : list[this.int(list.length)];
  }
  some<T>(list: readonly T[], max = 3): T[] {
    const n = 1 + this.int(Math.max(1, Math.min(max, list.length)));
    const out = new Set<T>();
    for (let i = 0; i < n; i++) {
      const x = this.pick(list);
      if (x !== undefined) out.add(x);
    }
    return [...out];
  }
}

// zod 4 keeps a schema's definition at `_zod.def`.
interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly entries?: Record<string, string>;
  readonly values?: readonly unknown[];
  readonly in?: z.ZodType;
  readonly valueType?: z.ZodType;
}
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** A value for `schema`; `name` is the field it fills (it picks the pool). */
export function inputFor(schema: z.ZodType, pools: Pools, c: Choices, name = ''): unknown {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
      if (c.chance(0.35)) return def.type === 'nullable' && c.chance(0.5) ? null : undefined;
      return inputFor(def.innerType!, pools, c, name);
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return inputFor(def.innerType!, pools, c, name);
    case 'pipe':
      return inputFor(def.in!, pools, c, name);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(def.shape ?? {})) {
        const v = inputFor(field, pools, c, key);
        if (v !== undefined) out[key] = v;
      }
      return out;
    }
    case 'array': {
      const n = c.int(3) + (c.chance(0.8) ? 1 : 0);
      const singular = name.endsWith('s') ? name.slice(0, -1) : name;
      if (name === 'memberIds') return c.some([...pools.users, ...pools.clients, ...pools.groups]);
      if (name === 'limitedTo') return c.some(pools.scopes, 2);
      if (name === 'permissions') return c.some(pools.permissions, 6);
      if (name === 'scopeKinds') return c.some(pools.scopeKinds, 2);
      return Array.from({ length: n }, () => inputFor(def.element!, pools, c, singular));
    }
    case 'enum': {
      const values = Object.values(def.entries ?? {});
      return c.pick(values);
    }
    case 'literal':
      return def.values?.[0];
    case 'union':
      return inputFor(c.pick(def.options ?? [])!, pools, c, name);
    case 'boolean':
      return c.chance(0.5);
    case 'number':
    case 'int':
      return 1 + c.int(30);
    case 'record':
      return c.chance(0.5) ? {} : { auditRetentionDays: 1 + c.int(400) };
    case 'string':
      return stringFor(name, pools, c);
    default:
      // unknown / any (audit payloads): a small JSON value.
      return c.chance(0.5) ? { note: `v${c.int(100)}` } : undefined;
  }
}

function stringFor(name: string, p: Pools, c: Choices): string | undefined {
  const lower = name.toLowerCase();
  const fromPool = (list: readonly string[], fresh: () => string) =>
    c.chance(0.9) ? (c.pick(list) ?? fresh()) : fresh();
  switch (lower) {
    case 'orgid':
      return p.orgId;
    case 'userid':
    case 'onbehalfof':
      return fromPool(p.users, () => 'usr_nobody');
    case 'subjectid':
    case 'memberid':
    case 'actorid':
      return c.pick([...p.users, ...p.groups, ...p.clients]);
    case 'groupid':
      return fromPool(p.groups, () => 'grp_nobody');
    case 'clientid':
      return fromPool(p.clients, () => 'cli_nobody');
    case 'scopeid':
    case 'scope':
    case 'parentid':
      return fromPool(p.scopes, () => 'scp_nobody');
    case 'assignmentid':
      return fromPool(p.assignments, () => 'asg_nobody');
    case 'invitationid':
      return fromPool(p.invitations, () => 'inv_nobody');
    case 'tokenid':
      return fromPool(p.scimTokens, () => 'sct_nobody');
    case 'sessionid':
      return fromPool(p.sessions, () => 'ses_nobody');
    case 'role':
    case 'defaultrole':
      return c.pick(p.roles);
    case 'defaultscopeid':
      return c.pick(p.scopes);
    case 'connectionid':
      return fromPool(p.ssoConnections, () => 'ssoc_nobody');
    case 'domainid':
      return fromPool(p.domains, () => 'dom_nobody');
    case 'domain':
      return c.pick(['acme.prop.test', `d${c.int(20)}.prop.test`, 'not a domain', 'localhost']);
    case 'issuer':
      return 'https://idp.prop.test';
    case 'metadataurl':
      return c.chance(0.7) ? 'https://idp.prop.test/saml/metadata' : 'https://down.prop.test/x';
    case 'uri':
      return `https://app${c.int(3)}.prop.test/sso/callback`;
    case 'idpgroup':
      return c.pick(['eng', 'design', ...p.groups.slice(0, 1)]);
    case 'key':
      return c.chance(0.6) && p.customRoles.length > 0
        ? c.pick(p.customRoles)
        : `custom_r${c.int(1000)}`;
    case 'kind':
      return c.pick(p.scopeKinds);
    case 'permission':
      return c.pick(p.permissions);
    case 'email':
      return c.chance(0.5) ? c.pick(p.emails) : `new${c.int(10_000)}@prop.test`;
    case 'preset':
      return c.pick(p.presets);
    case 'slot':
      return c.chance(0.5) ? 'primary' : undefined;
    case 'avatarurl':
      return 'https://example.test/a.png';
    case 'password':
    case 'newpassword':
      return `Pw-${c.int(1e9)}-long-enough`;
    case 'currentpassword':
      return p.password && c.chance(0.7) ? p.password : `Pw-${c.int(1e9)}-long-enough`;
    case 'token':
      return `tok_${c.int(1e9)}_not_a_real_one`;
    case 'from':
    case 'to':
      return new Date(Date.now() - c.int(1e9)).toISOString();
    default:
      return `${lower || 'text'} ${c.int(1000)}`;
  }
}

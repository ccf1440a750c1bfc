/**
 * How SCIM attributes map to SQL, per resource. Users are rows of `members m` that carry a SCIM
 * document (`m.scim_doc`); `id`, `userName`, `externalId`, `active` and `meta` are columns,
 * `groups` comes from `group_members`, every other attribute is read from the document.
 * Groups are rows of `groups g` with `scim_managed`; `members` comes from `group_members`.
 */
import { type RawBuilder, sql } from '@gatehouse/db';
import { scimInvalid } from './errors.js';
import type { FilterNode } from './filter.js';
import {
  type CompileContext,
  compileFilter,
  type Elements,
  elementContext,
  likeEscape,
  type Operand,
  type Scalar,
  type Sql,
} from './filter-sql.js';
import { type AttrDef, type ResourceSchema, resolvePath } from './schema.js';

function notFilterable(path: string): never {
  throw scimInvalid('invalidFilter', `"${path}" cannot be filtered on`);
}

const lit = (s: string) => sql.lit(s);

/** A value at `json -> key` in a document. */
function docScalar(parent: Sql, a: AttrDef): Scalar {
  return {
    text: sql`(${parent} ->> ${lit(a.name)})`,
    json: sql`(${parent} -> ${lit(a.name)})`,
    type: a.type,
    caseExact: a.caseExact,
  };
}

/** The elements of a multi-valued attribute stored as a jsonb array. */
function docElements(array: Sql, attr: AttrDef): Elements {
  const el = sql.raw('e.v');
  return {
    attr,
    scalar(sub) {
      if (!sub) {
        return {
          text: sql`(${el} #>> '{}')`,
          json: el,
          type: attr.type,
          caseExact: attr.caseExact,
        };
      }
      return docScalar(el, sub);
    },
    exists(pred) {
      return sql`exists (select 1 from jsonb_array_elements(case when jsonb_typeof(${array}) = 'array' then ${array} else '[]'::jsonb end) as e(v) where ${pred})`;
    },
    // Served by the trigram index on lower((scim_doc -> 'emails')::text) (migration 0008).
    hint(literal) {
      return sql`lower((${array})::text) like lower(${`%${likeEscape(literal)}%`})`;
    },
  };
}

const column = (
  expr: string,
  type: AttrDef['type'] = 'string',
  caseExact = true,
  native = false,
): Scalar => {
  const ref = sql.raw(expr);
  return native ? { text: ref, native: ref, type, caseExact } : { text: ref, type, caseExact };
};

const constant = (value: string): Scalar => ({
  text: sql`${value}::text`,
  type: 'string',
  caseExact: true,
});

/** Shared resolution: document attributes, complex values, multi-valued elements. */
function docOperand(
  schema: ResourceSchema,
  path: string,
  doc: Sql,
  special: (attr: AttrDef, sub: AttrDef | null, ext: string | null) => Operand | undefined,
): Operand {
  const r = resolvePath(schema, path, 'invalidFilter');
  const base = r.ext ? sql`(${doc} -> ${lit(r.ext)})` : doc;
  if (!r.attr) return { kind: 'complex', json: base, attr: null };
  const own = special(r.attr, r.sub, r.ext);
  if (own) return own;
  const attr = r.attr;
  if (attr.returned === 'never') notFilterable(path);
  if (attr.multiValued) {
    return {
      kind: 'multi',
      elements: docElements(sql`(${base} -> ${lit(attr.name)})`, attr),
      sub: r.sub,
    };
  }
  if (attr.type === 'complex') {
    const node = sql`(${base} -> ${lit(attr.name)})`;
    if (!r.sub) return { kind: 'complex', json: node, attr };
    return { kind: 'scalar', scalar: docScalar(node, r.sub) };
  }
  return { kind: 'scalar', scalar: docScalar(base, attr) };
}

function metaOperand(
  sub: AttrDef | null,
  created: string,
  modified: string,
  type: string,
  path: string,
): Operand {
  if (!sub) return { kind: 'complex', json: sql`'{"x":1}'::jsonb`, attr: null };
  switch (sub.name) {
    case 'created':
      return { kind: 'scalar', scalar: column(created, 'dateTime', true, true) };
    case 'lastModified':
      return { kind: 'scalar', scalar: column(modified, 'dateTime', true, true) };
    case 'resourceType':
      return { kind: 'scalar', scalar: constant(type) };
    default:
      return notFilterable(path);
  }
}

function valuePathOf(ctx: { operand(path: string): Operand }, path: string) {
  const o = ctx.operand(path);
  if (o.kind !== 'multi' || o.sub) {
    throw scimInvalid('invalidFilter', `"${path}[...]" needs a multi-valued attribute`);
  }
  return { elements: o.elements, inner: elementContext(o.elements) };
}

/** The groups a user (row `m`) belongs to, as SCIM `groups` elements. */
function userGroups(attr: AttrDef): Elements {
  return {
    attr,
    scalar(sub) {
      switch (sub?.name) {
        case 'value':
          return column('g2.id');
        case 'display':
          return column('g2.name', 'string', false);
        case 'type':
          return constant('direct');
        default:
          return notFilterable(`groups.${sub?.name ?? ''}`);
      }
    },
    exists(pred) {
      return sql`exists (select 1 from group_members gm2 join groups g2 on g2.org_id = gm2.org_id and g2.id = gm2.group_id where gm2.org_id = m.org_id and gm2.member_id = m.user_id and g2.scim_managed and ${pred})`;
    },
  };
}

/** SQL for the display name of the user in a group member row `gm`. */
export const MEMBER_DISPLAY = sql`(select coalesce(mm.scim_doc ->> 'displayName', mm.scim_user_name, u.name, u.email) from members mm join users u on u.id = mm.user_id where mm.org_id = gm.org_id and mm.user_id = gm.member_id)`;

/** The user members of a group (row `g`), or conditions on a member row `gm` alone. */
export function groupMembers(attr: AttrDef, correlated: boolean): Elements {
  return {
    attr,
    scalar(sub) {
      switch (sub?.name) {
        case 'value':
          return column('gm.member_id');
        case 'display':
          return { text: MEMBER_DISPLAY, type: 'string', caseExact: false };
        case 'type':
          return constant('User');
        default:
          return notFilterable(`members.${sub?.name ?? ''}`);
      }
    },
    exists(pred) {
      return correlated
        ? sql`exists (select 1 from group_members gm where gm.org_id = g.org_id and gm.group_id = g.id and gm.member_id like 'usr\\_%' and ${pred})`
        : pred;
    },
  };
}

/** Filters over `members m` (SCIM Users), with `schema` the User schema (and extensions). */
export function userContext(schema: ResourceSchema): CompileContext {
  const ctx: CompileContext = {
    operand(path) {
      return docOperand(schema, path, sql.raw('m.scim_doc'), (attr, sub, ext) => {
        if (ext) return undefined;
        switch (attr.name) {
          case 'id':
            return { kind: 'scalar', scalar: column('m.user_id') };
          case 'externalId':
            return { kind: 'scalar', scalar: column('m.external_id') };
          case 'userName':
            return { kind: 'scalar', scalar: column('m.scim_user_name', 'string', false) };
          case 'active':
            return {
              kind: 'scalar',
              scalar: column(`(m.status = 'active')`, 'boolean', true, true),
            };
          case 'meta':
            return metaOperand(sub, 'm.created_at', 'm.updated_at', 'User', path);
          case 'groups':
            return { kind: 'multi', elements: userGroups(attr), sub };
          case 'schemas':
            return notFilterable(path);
          default:
            return undefined;
        }
      });
    },
    valuePath: (path) => valuePathOf(ctx, path),
  };
  return ctx;
}

/** Filters over `groups g` (SCIM Groups), with `schema` the Group schema. */
export function groupContext(schema: ResourceSchema): CompileContext {
  const ctx: CompileContext = {
    operand(path) {
      return docOperand(schema, path, sql`'{}'::jsonb`, (attr, sub) => {
        switch (attr.name) {
          case 'id':
            return { kind: 'scalar', scalar: column('g.id') };
          case 'externalId':
            return { kind: 'scalar', scalar: column('g.external_id') };
          case 'displayName':
            return { kind: 'scalar', scalar: column('g.name', 'string', false) };
          case 'meta':
            return metaOperand(sub, 'g.created_at', 'g.updated_at', 'Group', path);
          case 'members':
            return { kind: 'multi', elements: groupMembers(attr, true), sub };
          default:
            return notFilterable(path);
        }
      });
    },
    valuePath: (path) => valuePathOf(ctx, path),
  };
  return ctx;
}

/** Conditions on one group member row `gm` (PATCH `members[...]` paths), `schema` the Group's. */
export function memberRowContext(schema: ResourceSchema): CompileContext {
  const attr = schema.attrs.find((a) => a.name === 'members');
  if (!attr) throw scimInvalid('invalidPath', `${schema.name} has no "members"`);
  return elementContext(groupMembers(attr, false));
}

/**
 * The SQL condition over a group's member rows (`gm`) that a PATCH path filter such as
 * `members[display eq "x"]` selects, for `changeDirectoryGroup`'s `removeMembersWhere`.
 *
 * @example memberCondition(groupSchema, { kind: 'compare', path: 'display', op: 'eq', value: 'x' });
 */
export function memberCondition(schema: ResourceSchema, filter: FilterNode): RawBuilder<boolean> {
  return compileFilter(filter, memberRowContext(schema)).$castTo<boolean>();
}

/** An expression to order by (RFC 7644 §3.4.2.3), or a 400 when the attribute cannot sort. */
export function sortExpression(ctx: CompileContext, path: string): RawBuilder<unknown> {
  let o: Operand;
  try {
    o = ctx.operand(path);
  } catch {
    throw scimInvalid('invalidValue', `sortBy: unknown attribute "${path}"`);
  }
  const keyOf = (s: Scalar) => (s.native ? s.native : s.caseExact ? s.text : sql`lower(${s.text})`);
  if (o.kind === 'scalar') return keyOf(o.scalar);
  if (o.kind === 'multi' && o.elements.attr.type === 'complex') {
    const a = o.elements.attr;
    const sub = o.sub ?? a.sub.find((x) => x.name === 'value');
    const primary = a.sub.find((x) => x.name === 'primary');
    if (sub && primary && !['groups', 'members'].includes(a.name)) {
      const s = o.elements.scalar(sub);
      const arr = path.toLowerCase().startsWith('urn:') ? null : a.name;
      if (arr) {
        return sql`(select ${keyOf(s)} from jsonb_array_elements(case when jsonb_typeof(m.scim_doc -> ${lit(arr)}) = 'array' then m.scim_doc -> ${lit(arr)} else '[]'::jsonb end) as e(v) order by (e.v -> 'primary') = 'true'::jsonb desc nulls last limit 1)`;
      }
    }
  }
  throw scimInvalid('invalidValue', `sortBy: "${path}" cannot be sorted on`);
}

/**
 * The SCIM schemas served (RFC 7643 §4: core User with the enterprise extension, Group), taken
 * from SCIMMY's definitions, and a case-insensitive resolver of attribute paths
 * (`name.givenName`, `urn:…:enterprise:2.0:User:manager.value`) to their definitions. Filters,
 * PATCH paths and `attributes` all resolve names here (RFC 7644 §3.10: names are
 * case-insensitive).
 */
import SCIMMY from 'scimmy';
import { scimError } from './errors.js';

export const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_URN = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** SCIM attribute data types (RFC 7643 §2.3). */
export type AttrType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'reference'
  | 'binary'
  | 'complex';

/** What the code needs to know about one attribute. */
export interface AttrDef {
  readonly name: string;
  readonly type: AttrType;
  readonly multiValued: boolean;
  readonly caseExact: boolean;
  readonly mutable: boolean;
  readonly returned: 'always' | 'never' | 'default' | 'request';
  readonly sub: readonly AttrDef[];
}

/** A resource type: its core schema and extensions. */
export interface ResourceSchema {
  readonly name: 'User' | 'Group';
  readonly endpoint: '/Users' | '/Groups';
  readonly urn: string;
  readonly attrs: readonly AttrDef[];
  readonly extensions: ReadonlyMap<string, readonly AttrDef[]>;
}

/** A resolved attribute path: which schema (null: core), attribute and sub-attribute. */
export interface ResolvedPath {
  /** The extension URN, or null for the core schema. */
  readonly ext: string | null;
  /** Null when the path names a whole extension. */
  readonly attr: AttrDef | null;
  readonly sub: AttrDef | null;
}

interface ScimmyAttribute {
  name: string;
  type: unknown;
  config: { multiValued?: boolean; caseExact?: boolean; mutable?: unknown; returned?: unknown };
  subAttributes?: ScimmyAttribute[];
}

function returnedOf(v: unknown): AttrDef['returned'] {
  if (v === false || v === 'never') return 'never';
  if (v === 'always' || v === 'request') return v;
  return 'default';
}

function toDef(a: ScimmyAttribute): AttrDef {
  return {
    name: a.name,
    type: String(a.type) as AttrType,
    multiValued: Boolean(a.config.multiValued),
    caseExact: Boolean(a.config.caseExact),
    mutable: a.config.mutable !== false && a.config.mutable !== 'readOnly',
    returned: returnedOf(a.config.returned),
    sub: (a.subAttributes ?? []).map(toDef),
  };
}

/** Attributes SCIMMY repeats in each extension (RFC 7643 §3.1 common attributes). */
const COMMON = new Set(['schemas', 'id', 'externalid', 'meta']);

function schemaOf(
  name: 'User' | 'Group',
  definition: { id: string; attributes: unknown[] },
): ResourceSchema {
  const attrs: AttrDef[] = [];
  const extensions = new Map<string, AttrDef[]>();
  for (const a of definition.attributes) {
    if (a instanceof SCIMMY.Types.SchemaDefinition) {
      const own = (a.attributes as unknown as ScimmyAttribute[]).filter(
        (x) => !COMMON.has(x.name.toLowerCase()),
      );
      extensions.set(a.id, own.map(toDef));
    } else {
      attrs.push(toDef(a as ScimmyAttribute));
    }
  }
  return { name, endpoint: `/${name}s`, urn: definition.id, attrs, extensions };
}

let declared = false;

/**
 * Declares User (with the enterprise extension) and Group with SCIMMY, once per process:
 * declarations are global and must precede `new SCIMMYRouters()` (TOOLCHAIN P19).
 */
export function declareResources(): void {
  if (declared) return;
  declared = true;
  if (!SCIMMY.Resources.declared(SCIMMY.Resources.User)) {
    SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false));
  }
  if (!SCIMMY.Resources.declared(SCIMMY.Resources.Group)) {
    SCIMMY.Resources.declare(SCIMMY.Resources.Group);
  }
}

let cache: { User: ResourceSchema; Group: ResourceSchema } | undefined;

/** The User and Group schemas (after `declareResources()`). */
export function schemas(): { User: ResourceSchema; Group: ResourceSchema } {
  declareResources();
  cache ??= {
    User: schemaOf('User', SCIMMY.Schemas.User.definition as never),
    Group: schemaOf('Group', SCIMMY.Schemas.Group.definition as never),
  };
  return cache;
}

const find = (list: readonly AttrDef[], name: string) =>
  list.find((a) => a.name.toLowerCase() === name.toLowerCase());

/**
 * Resolves an attribute path, case-insensitively; `what` names the context in errors.
 * Throws a SCIM error of `errorType` (invalidFilter, invalidPath ...) when unknown.
 */
export function resolvePath(
  schema: ResourceSchema,
  path: string,
  errorType: 'invalidFilter' | 'invalidPath' | 'invalidValue',
): ResolvedPath {
  const fail = (why: string): never => {
    throw scimError(400, errorType, why);
  };
  let rest = path;
  let ext: string | null = null;
  let list: readonly AttrDef[] = schema.attrs;
  const lower = path.toLowerCase();
  if (lower.startsWith('urn:')) {
    const core = `${schema.urn.toLowerCase()}:`;
    const extUrn = [...schema.extensions.keys()].find(
      (u) => lower === u.toLowerCase() || lower.startsWith(`${u.toLowerCase()}:`),
    );
    if (lower.startsWith(core)) {
      rest = path.slice(core.length);
    } else if (extUrn) {
      ext = extUrn;
      list = schema.extensions.get(extUrn)!;
      if (lower === extUrn.toLowerCase()) return { ext, attr: null, sub: null };
      rest = path.slice(extUrn.length + 1);
    } else {
      fail(`unknown schema in attribute "${path}" for ${schema.name}`);
    }
  }
  const parts = rest.split('.');
  if (parts.length > 2 || parts.some((p) => p === '')) fail(`invalid attribute path "${path}"`);
  const attr = find(list, parts[0]!) ?? fail(`unknown attribute "${path}" for ${schema.name}`);
  if (parts.length === 1) return { ext, attr, sub: null };
  if (attr.type !== 'complex') fail(`attribute "${attr.name}" has no sub-attributes ("${path}")`);
  const sub = find(attr.sub, parts[1]!) ?? fail(`unknown attribute "${path}" for ${schema.name}`);
  return { ext, attr, sub };
}

/** Reads a SCIMMY coercion result into plain JSON (its instances carry getters and classes). */
export function plain<T = Record<string, unknown>>(v: unknown): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

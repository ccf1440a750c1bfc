/**
 * What the domain needs to know of a SCIM resource schema (RFC 7643 §2, §4) to compile filters
 * and sorts: a structural description the SCIM app builds from SCIMMY's definitions, and a
 * case-insensitive resolver of attribute paths (`name.givenName`,
 * `urn:…:enterprise:2.0:User:manager.value`) to their definitions (RFC 7644 §3.10).
 */
import { scimInvalid } from './errors.js';

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

const find = (list: readonly AttrDef[], name: string) =>
  list.find((a) => a.name.toLowerCase() === name.toLowerCase());

/**
 * Resolves an attribute path, case-insensitively. Throws `scimInvalid(errorType, …)`
 * (invalidFilter, invalidPath ...) when the path is unknown or malformed.
 *
 * @example resolvePath(userSchema, 'NAME.givenName', 'invalidFilter').sub?.name; // 'givenName'
 */
export function resolvePath(
  schema: ResourceSchema,
  path: string,
  errorType: 'invalidFilter' | 'invalidPath' | 'invalidValue',
): ResolvedPath {
  const fail = (why: string): never => {
    throw scimInvalid(errorType, why);
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

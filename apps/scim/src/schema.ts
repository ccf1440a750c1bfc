/**
 * The SCIM schemas served (RFC 7643 §4: core User with the enterprise extension, Group), taken
 * from SCIMMY's definitions into the domain's structural `ResourceSchema`, whose
 * case-insensitive `resolvePath` (RFC 7644 §3.10) filters, PATCH paths and `attributes` use.
 */
import type { AttrDef, AttrType, ResourceSchema } from '@gatehouse/domain';
import SCIMMY from 'scimmy';

export const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_URN = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

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

/** Reads a SCIMMY coercion result into plain JSON (its instances carry getters and classes). */
export function plain<T = Record<string, unknown>>(v: unknown): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

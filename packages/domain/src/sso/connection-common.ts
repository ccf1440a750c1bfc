/**
 * What OIDC and SAML connections share when they are created and changed: the name, the claim
 * (attribute) names, the default role and where it is given, `enabled`, and the view an audit
 * entry records. Each protocol adds its own columns around these.
 */
import type { SsoConnectionRow } from '@gatehouse/db';
import { invalid } from '../errors.js';
import {
  claimNamesOf,
  DEFAULT_SSO_CLAIMS,
  type SsoClaimNames,
  type SsoConnectionView,
} from './connection-view.js';

/** The fields every connection has, whatever its protocol. */
export interface ConnectionCommonInput {
  readonly name: string;
  readonly claims?: Partial<SsoClaimNames> | undefined;
  readonly defaultRole?: string | null | undefined;
  readonly defaultScopeId?: string | null | undefined;
  /** Default true. A disabled connection signs nobody in, but can be tested. */
  readonly enabled?: boolean | undefined;
}

/** A trimmed, non-empty connection name, or INVALID. */
export const checkName = (name: string): string => {
  const n = name.trim();
  if (!n) throw invalid('name must not be empty');
  return n;
};

/**
 * A connection's view without what changes on every write or fetch (for audit entries): a
 * metadata URL is kept, not the times of its fetches.
 */
export const connectionSummary = (v: SsoConnectionView) => {
  const { groupMappings: _, createdAt: _c, updatedAt: _u, ...rest } = v;
  if (rest.protocol !== 'saml' || !rest.idpMetadata) return rest;
  return { ...rest, idpMetadata: { url: rest.idpMetadata.url } };
};

/** The default role and its scope a write leaves (`cur`: the row before, for changes). */
export function defaultRoleAt(
  input: Partial<ConnectionCommonInput>,
  cur?: SsoConnectionRow,
): { role: string | null; scopeId: string | null } {
  if (!cur) return { role: input.defaultRole ?? null, scopeId: input.defaultScopeId ?? null };
  return {
    role: input.defaultRole === undefined ? cur.default_role : input.defaultRole,
    scopeId: input.defaultScopeId === undefined ? cur.default_scope_id : input.defaultScopeId,
  };
}

/** The shared columns of a new connection row. */
export function newCommonColumns(
  input: ConnectionCommonInput,
  at: { role: string | null; scopeId: string | null },
) {
  return {
    name: checkName(input.name),
    claims: JSON.stringify({ ...DEFAULT_SSO_CLAIMS, ...input.claims }),
    default_role: at.role,
    default_scope_id: at.scopeId,
    enabled: input.enabled ?? true,
    updated_at: new Date(),
  };
}

/** The shared columns a change sets (absent fields unchanged). */
export function changedCommonColumns(
  input: Partial<ConnectionCommonInput>,
  cur: SsoConnectionRow,
  at: { role: string | null; scopeId: string | null },
) {
  return {
    ...(input.name !== undefined && { name: checkName(input.name) }),
    ...(input.claims !== undefined && {
      claims: JSON.stringify({ ...claimNamesOf(cur), ...input.claims }),
    }),
    ...(input.enabled !== undefined && { enabled: input.enabled }),
    default_role: at.role,
    default_scope_id: at.scopeId,
    updated_at: new Date(),
  };
}

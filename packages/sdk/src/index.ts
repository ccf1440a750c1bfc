/** @gatehouse/sdk — the typed Gatehouse client (X1) and local checks (C7). */
import type { AppRouter } from '@gatehouse/api';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';

export { TRPCClientError } from '@trpc/client';
export type { AuditExportEntry, AuditExportQuery } from './audit-export.js';
export {
  type CanQuery,
  createGatehouse,
  type Gatehouse,
  type GatehouseOptions,
} from './client.js';
export { LocalChecker } from './local.js';
export type { Permission, Register, RoleKey, ScopeKind } from './names.js';
export {
  createScimClient,
  SCIM_ENTERPRISE_URN,
  SCIM_GROUP_URN,
  SCIM_USER_URN,
  type ScimClient,
  type ScimClientOptions,
  ScimError,
  type ScimGroup,
  type ScimListOptions,
  type ScimListResponse,
  type ScimMeta,
  type ScimMultiValue,
  type ScimPatchOperation,
  type ScimResourceClient,
  type ScimUser,
  type ScimWriteOptions,
  scimFilter,
} from './scim.js';
export type { AppRouter };
/** Inputs of every procedure: `RouterInputs['authz']['check']`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Outputs of every procedure: `RouterOutputs['members']['add']`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

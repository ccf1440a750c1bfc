/** @gatehouse/scim — SCIM 2.0 (RFC 7643/7644) for Gatehouse, as an Express router. */

export type { FilterNode } from '@gatehouse/domain';
export { ERROR_URN, type ScimType } from './errors.js';
export { parseFilter } from './filter/parse.js';
export { DEFAULT_COUNT, MAX_RESULTS } from './list.js';
export { createScimHandler, type ScimOptions } from './router.js';
export {
  ENTERPRISE_URN,
  GROUP_URN,
  LIST_URN,
  PATCH_URN,
  SEARCH_URN,
  USER_URN,
} from './schema.js';

/** SCIM directory provisioning: users, groups and the tokens the identity provider uses (S1–S4). */

export { assertDirectoryRead } from './access.js';
export * from './authenticate-token.js';
export * from './create-token.js';
export * from './directory-groups.js';
export * from './directory-users.js';
export { type ScimType, scimInvalid, scimTypeOf } from './errors.js';
export { COMPARE_OPS, type CompareOp, type FilterNode, type Literal } from './filter.js';
export { memberCondition } from './filter-columns.js';
export {
  type DirectoryMemberRef,
  directoryGroupMembers,
  getDirectoryGroup,
  listDirectoryGroups,
} from './group-reads.js';
export * from './list-tokens.js';
export type { ScimListQuery, ScimPage } from './query.js';
export * from './revoke-token.js';
export * from './rotate-token.js';
export {
  type AttrDef,
  type AttrType,
  type ResolvedPath,
  type ResourceSchema,
  resolvePath,
} from './schema.js';
export * as scimSql from './sql.js';
export * from './token-view.js';
export {
  type DirectoryGroupRef,
  directoryUserGroups,
  getDirectoryUser,
  listDirectoryUsers,
} from './user-reads.js';

/**
 * The SQL side of SCIM filters, for tests and tools that inspect it (the domain's reads use it
 * themselves): `compileFilter` over the User, Group and group-member-row mappings.
 *
 * @example scimSql.compileFilter(filter, scimSql.userContext(userSchema)).compile(db).sql;
 */

export { groupContext, memberRowContext, userContext } from './filter-columns.js';
export { type CompileContext, compileFilter, likeEscape } from './filter-sql.js';

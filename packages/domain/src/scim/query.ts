/**
 * A SCIM list query as the domain runs it (RFC 7644 §3.4.2): a parsed filter, a sort and a page,
 * all applied in SQL, and the page it returns with the total that matched.
 */
import { type DB, type RawBuilder, sql } from '@gatehouse/db';
import type { FilterNode } from './filter.js';
import { sortExpression } from './filter-columns.js';
import { type CompileContext, compileFilter } from './filter-sql.js';
import type { ResourceSchema } from './schema.js';

/** Which resources of a directory to read, in what order, which page. */
export interface ScimListQuery {
  /** The resource's schema (from the SCIM app), which filter and sort paths resolve in. */
  readonly schema: ResourceSchema;
  readonly filter?: FilterNode | undefined;
  /** An attribute path to sort by (RFC 7644 §3.4.2.3); default: by id. */
  readonly sortBy?: string | undefined;
  readonly descending?: boolean | undefined;
  /** 1-based index of the first resource. */
  readonly startIndex: number;
  /** Page size; 0 reads only the total. */
  readonly count: number;
}

/** One page of a directory list and how many resources matched in all. */
export interface ScimPage<T> {
  readonly total: number;
  readonly items: readonly T[];
}

/**
 * Below this many matches, pages are ordered by an expression (`id || ''`) rather than the
 * primary key: otherwise the planner may walk the whole org in id order looking for the few
 * rows a selective filter (`userName eq …`) matches, instead of using that filter's index.
 */
export const SELECTIVE = 5000;

/** Where a list reads from: one aliased table, its rows' condition, id and columns. */
export interface PageSource {
  /** `members m` or `groups g`. */
  readonly table: 'members m' | 'groups g';
  readonly id: 'm.user_id' | 'g.id';
  /** The org's rows of this resource, before the filter. */
  readonly where: RawBuilder<unknown>;
  /** The select list of a page row. */
  readonly columns: RawBuilder<unknown>;
  /** Resolves filter and sort paths to SQL. */
  readonly context: CompileContext;
}

/** The `order by` of a page: the sort (ties by id), else the id (see `SELECTIVE`). */
function pageOrder(query: ScimListQuery, total: number, source: PageSource): RawBuilder<unknown> {
  const id = sql.raw(source.id);
  const dir = sql.raw(query.descending ? 'desc' : 'asc');
  if (query.sortBy) {
    return sql`${sortExpression(source.context, query.sortBy)} ${dir} nulls last, ${id} asc`;
  }
  return total <= SELECTIVE ? sql`${id} || '' asc` : sql`${id} asc`;
}

/**
 * Counts the rows of `source` the query's filter selects, then reads the page asked for (none
 * when `count` is 0 or the page starts past the end): two queries, both filtered in SQL.
 */
export async function readPage<Row>(
  db: DB,
  source: PageSource,
  query: ScimListQuery,
): Promise<ScimPage<Row>> {
  const where = query.filter
    ? sql`${source.where} and ${compileFilter(query.filter, source.context)}`
    : source.where;
  const from = sql.raw(`from ${source.table}`);
  const { rows: counted } = await sql<{ n: string }>`
    select count(*)::text as n ${from} where ${where}`.execute(db);
  const total = Number(counted[0]?.n ?? 0);
  if (query.count === 0 || total < query.startIndex) return { total, items: [] };
  const { rows } = await sql<Row>`
    select ${source.columns} ${from}
     where ${where}
     order by ${pageOrder(query, total, source)}
     limit ${query.count} offset ${query.startIndex - 1}`.execute(db);
  return { total, items: rows };
}

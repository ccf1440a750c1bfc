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
  /** Attributes unique in the org (`id`, `userName`, …): an `eq` on one selects a row or none. */
  readonly uniqueKeys?: readonly string[];
}

/** The `order by` of a page: the sort (ties by id), else the id (see `SELECTIVE`). */
function pageOrder(
  query: ScimListQuery,
  selective: boolean,
  source: PageSource,
): RawBuilder<unknown> {
  const id = sql.raw(source.id);
  const dir = sql.raw(query.descending ? 'desc' : 'asc');
  if (query.sortBy) {
    return sql`${sortExpression(source.context, query.sortBy)} ${dir} nulls last, ${id} asc`;
  }
  return selective ? sql`${id} || '' asc` : sql`${id} asc`;
}

/**
 * True when `filter` pins one of `keys` (attributes unique in the org, names compared
 * case-insensitively) with `eq`, alone or as a term of an `and`: it selects at most one row,
 * whatever else it says. Only the plan relies on this; the totals never do.
 */
export function pinsUniqueKey(filter: FilterNode | undefined, keys: readonly string[]): boolean {
  if (!filter) return false;
  if (filter.kind === 'and')
    return pinsUniqueKey(filter.left, keys) || pinsUniqueKey(filter.right, keys);
  return (
    filter.kind === 'compare' &&
    filter.op === 'eq' &&
    keys.some((k) => k.toLowerCase() === filter.path.toLowerCase())
  );
}

/**
 * Reads the page asked for and the total of rows the query's filter selects, both filtered
 * in SQL, in as few statements as the answer allows (issue 15: a lookup is one round trip).
 * When the order does not depend on the total (a sort, or a filter that pins one of
 * `source.uniqueKeys`, ordered as a selective one), the page is read first: a first page that
 * is not full holds every match, so its length is the total and no count is sent. Otherwise
 * the count comes first and picks the order (see `SELECTIVE`). `extra` adds select-list
 * items to the page's rows. With `count` 0 only the count is read.
 */
export async function readPage<Row>(
  db: DB,
  source: PageSource,
  query: ScimListQuery,
  extra?: RawBuilder<unknown>,
): Promise<ScimPage<Row>> {
  const where = query.filter
    ? sql`${source.where} and ${compileFilter(query.filter, source.context)}`
    : source.where;
  const from = sql.raw(`from ${source.table}`);
  const countAll = async () => {
    const { rows } = await sql<{ n: string }>`
      select count(*)::text as n ${from} where ${where}`.execute(db);
    return Number(rows[0]?.n ?? 0);
  };
  const readRows = async (selective: boolean) => {
    const { rows } = await sql<Row>`
      select ${source.columns}${extra ? sql`, ${extra}` : sql``} ${from}
       where ${where}
       order by ${pageOrder(query, selective, source)}
       limit ${query.count} offset ${query.startIndex - 1}`.execute(db);
    return rows;
  };
  if (query.count === 0) return { total: await countAll(), items: [] };
  const pinned = pinsUniqueKey(query.filter, source.uniqueKeys ?? []);
  if (query.sortBy || pinned) {
    const items = await readRows(true);
    if (query.startIndex === 1 && items.length < query.count) {
      return { total: items.length, items };
    }
    return { total: await countAll(), items };
  }
  const total = await countAll();
  if (total < query.startIndex) return { total, items: [] };
  return { total, items: await readRows(total <= SELECTIVE) };
}

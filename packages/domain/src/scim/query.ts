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

/** What one page row carries besides its columns: the total and the page's marker. */
interface PageRow {
  readonly __total: number;
  readonly __row: boolean | null;
}

/**
 * Counts the rows of `source` the query's filter selects and reads the page asked for, in one
 * statement (issue 15: a lookup is one round trip). The count is a CTE; the page is read by
 * one of two branches, each behind a one-time filter on that count, so only one runs: below
 * `SELECTIVE` matches ordered by `id || ''`, else by the id (a sort orders by its expression,
 * ties by id). An empty page still answers one row, carrying the total. `extra` adds
 * select-list items computed on the page's rows only (they read `page.<column>`). With
 * `count` 0 only the count is read.
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
  if (query.count === 0) {
    const { rows: counted } = await sql<{ n: string }>`
      select count(*)::text as n ${from} where ${where}`.execute(db);
    return { total: Number(counted[0]?.n ?? 0), items: [] };
  }
  const branch = (order: RawBuilder<unknown>, when: RawBuilder<unknown>) => sql`(
    select true as "__row", ${source.columns} ${from}
     where ${where} and ${when}
     order by ${order}
     limit ${query.count} offset ${query.startIndex - 1})`;
  const id = sql.raw(source.id);
  const dir = sql.raw(query.descending ? 'desc' : 'asc');
  const page = query.sortBy
    ? branch(
        sql`${sortExpression(source.context, query.sortBy)} ${dir} nulls last, ${id} asc`,
        sql`true`,
      )
    : sql`${branch(sql`${id} || '' asc`, sql`total.n <= ${SELECTIVE}`)}
      union all
      ${branch(sql`${id} asc`, sql`total.n > ${SELECTIVE}`)}`;
  const { rows } = await sql<Row & PageRow>`
    with total as materialized (select count(*)::int as n ${from} where ${where})
    select total.n as "__total", page.*${extra ? sql`, ${extra}` : sql``}
      from total left join lateral (${page}) page on true`.execute(db);
  const total = Number(rows[0]?.__total ?? 0);
  const items: Row[] = [];
  for (const r of rows) {
    if (!r.__row) continue;
    const { __total: _t, __row: _r, ...row } = r;
    items.push(row as unknown as Row);
  }
  return { total, items };
}

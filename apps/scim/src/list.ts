/**
 * List and search parameters (RFC 7644 §3.4.2, §3.4.3): `filter`, `startIndex` (1-based; less
 * than 1 means 1), `count` (0 gives only `totalResults`; capped at `maxResults`), `sortBy` /
 * `sortOrder`, `attributes` / `excludedAttributes`, from a query string or a SearchRequest.
 */
import type { FilterNode } from '@gatehouse/domain';
import { scimError } from './errors.js';
import { parseFilter } from './filter/parse.js';
import { attributeList, type Projection } from './projection.js';
import { LIST_URN, SEARCH_URN } from './schema.js';

/** Most resources one page returns (advertised as `filter.maxResults`). */
export const MAX_RESULTS = 1000;
/** Page size when `count` is absent. */
export const DEFAULT_COUNT = 100;

/** Parsed list parameters. */
export interface ListParams extends Projection {
  readonly filter: FilterNode | undefined;
  readonly startIndex: number;
  readonly count: number;
  readonly sortBy: string | undefined;
  readonly descending: boolean;
}

function integer(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n =
    typeof v === 'number'
      ? v
      : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)
        ? Number(v)
        : Number.NaN;
  if (!Number.isInteger(n)) throw scimError(400, 'invalidValue', `${name} must be an integer`);
  return n;
}

function text(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw scimError(400, 'invalidValue', `${name} must be a string`);
  return v;
}

/** Reads list parameters from a query string (`req.query`) or a SearchRequest body. */
export function listParams(source: Record<string, unknown>): ListParams {
  const filterText = source.filter;
  if (filterText !== undefined && typeof filterText !== 'string') {
    throw scimError(400, 'invalidFilter', 'filter must be a single string');
  }
  const startIndex = integer(source.startIndex, 'startIndex') ?? 1;
  const count = integer(source.count, 'count') ?? DEFAULT_COUNT;
  const sortOrder = text(source.sortOrder, 'sortOrder');
  if (sortOrder !== undefined && !['ascending', 'descending'].includes(sortOrder.toLowerCase())) {
    throw scimError(400, 'invalidValue', 'sortOrder must be "ascending" or "descending"');
  }
  return {
    filter: filterText === undefined || filterText === '' ? undefined : parseFilter(filterText),
    startIndex: Math.min(Math.max(startIndex, 1), 2 ** 31 - 1),
    count: Math.min(Math.max(count, 0), MAX_RESULTS),
    sortBy: text(source.sortBy, 'sortBy'),
    descending: sortOrder?.toLowerCase() === 'descending',
    attributes: attributeList(source.attributes, 'attributes'),
    excludedAttributes: attributeList(source.excludedAttributes, 'excludedAttributes'),
  };
}

/** Reads a SearchRequest body (POST `/.search`). */
export function searchParams(body: unknown): ListParams {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw scimError(400, 'invalidSyntax', 'a SearchRequest body is a JSON object');
  }
  const b = body as Record<string, unknown>;
  if (b.schemas !== undefined && (!Array.isArray(b.schemas) || !b.schemas.includes(SEARCH_URN))) {
    throw scimError(400, 'invalidSyntax', `a SearchRequest lists the schema "${SEARCH_URN}"`);
  }
  return listParams(b);
}

/** A ListResponse message; `itemsPerPage` is the size of this page. */
export function listResponse(
  resources: readonly Record<string, unknown>[],
  totalResults: number,
  startIndex: number,
): Record<string, unknown> {
  return {
    schemas: [LIST_URN],
    totalResults,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

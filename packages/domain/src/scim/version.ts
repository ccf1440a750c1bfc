/**
 * The SCIM `meta.version` of a directory row (RFC 7644 §3.14 weak ETags): its `updated_at` in
 * microseconds since the epoch, read as text so no precision is lost, written once here.
 */
import { type RawBuilder, sql } from '@gatehouse/db';

/**
 * `updated_at` of the row `alias` (none: the only table) in microseconds, as text; turn it into
 * a version with `versionOf`.
 *
 * @example db.selectFrom('groups').select(versionColumn().as('micros'));
 */
export function versionColumn(alias?: string): RawBuilder<string> {
  const column = sql.ref(alias ? `${alias}.updated_at` : 'updated_at');
  return sql<string>`(extract(epoch from ${column}) * 1000000)::bigint::text`;
}

/** A version string from a row's `updated_at` in microseconds since the epoch. */
export function versionOf(micros: string | number | bigint): string {
  return BigInt(micros).toString(36);
}

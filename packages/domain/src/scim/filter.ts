/** The SCIM filter syntax tree (RFC 7644 §3.4.2.2). Paths stay strings until resolved per resource. */

/** Comparison operators; `pr` (present) has its own node. */
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** A comparison value: JSON `false`, `null`, `true`, number or string. */
export type Literal = string | number | boolean | null;

/** A parsed filter. */
export type FilterNode =
  | { readonly kind: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'not'; readonly expr: FilterNode }
  | {
      readonly kind: 'compare';
      readonly path: string;
      readonly op: CompareOp;
      readonly value: Literal;
    }
  | { readonly kind: 'present'; readonly path: string }
  /** `emails[type eq "work" and value co "@x"]`: inner paths name sub-attributes. */
  | { readonly kind: 'valuePath'; readonly path: string; readonly filter: FilterNode };

/** The comparison operators' keywords, lower-case. */
export const COMPARE_OPS: ReadonlySet<string> = new Set([
  'eq',
  'ne',
  'co',
  'sw',
  'ew',
  'gt',
  'ge',
  'lt',
  'le',
]);

/**
 * The SCIM `scimType` a domain error carries (RFC 7644 §3.12): reads that compile filters, sorts
 * and attribute paths fail with `INVALID` plus the keyword the SCIM app puts in its error body.
 */
import { DomainError } from '../errors.js';

/** RFC 7644 §3.12 `scimType` keywords. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/**
 * An `INVALID` domain error that the SCIM app answers as a 400 with `scimType`.
 *
 * @example throw scimInvalid('invalidFilter', 'unknown attribute "foo"');
 */
export function scimInvalid(scimType: ScimType, detail: string): DomainError {
  return new DomainError('INVALID', detail, { details: { scimType } });
}

/** The `scimType` a domain error was raised with (by `scimInvalid`), if any. */
export function scimTypeOf(e: unknown): ScimType | undefined {
  if (!(e instanceof DomainError)) return undefined;
  const t = e.details?.scimType;
  return typeof t === 'string' ? (t as ScimType) : undefined;
}

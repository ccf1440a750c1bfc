/**
 * Typed domain errors. Each app maps them once: tRPC codes in `api`, SCIM error bodies in `scim`.
 */

/** Every domain error code. */
export const DomainErrorCode = {
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  CONFLICT: 'CONFLICT',
  /** An organization invariant would break (last Owner, exclusive slot). */
  INVARIANT: 'INVARIANT',
  INVALID: 'INVALID',
  /** Too many attempts (failed logins); `details.retryAfterSeconds` says when to try again. */
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
} as const;
/** One of `DomainErrorCode`. */
export type DomainErrorCode = (typeof DomainErrorCode)[keyof typeof DomainErrorCode];

/** The one error type use cases throw on purpose. */
export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.details = options?.details;
  }
  readonly details: Record<string, unknown> | undefined;
}

/** Shorthands. */
export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);
/** FORBIDDEN: the caller may not do this. */
export const forbidden = (why: string, details?: Record<string, unknown>) =>
  new DomainError('FORBIDDEN', why, details ? { details } : undefined);
/** CONFLICT: the state does not allow this (a duplicate, a stale version). */
export const conflict = (why: string, details?: Record<string, unknown>) =>
  new DomainError('CONFLICT', why, details ? { details } : undefined);
/** INVALID: the request itself is wrong. */
export const invalid = (why: string) => new DomainError('INVALID', why);
/** INVARIANT: the write would break a rule of the model (the last Owner). */
export const invariant = (why: string) => new DomainError('INVARIANT', why);

/** True for PostgreSQL unique violations. */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '23505';
}

/**
 * Opaque error ids: an unexpected failure answers `internal error (id err_…)` and the log line
 * with the full detail carries the same id, so support can find one from the other while the
 * caller learns nothing about the server.
 */
import { randomBytes } from 'node:crypto';

/** A new id for one unexpected error: `err_` and 16 hex digits. */
export function newErrorId(): string {
  return `err_${randomBytes(8).toString('hex')}`;
}

/** The message callers get for an unexpected error. */
export function internalErrorMessage(id: string): string {
  return `internal error (id ${id})`;
}

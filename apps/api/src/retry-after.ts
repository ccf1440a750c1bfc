/** `Retry-After` for tRPC answers that are 429s (the per-email login throttle, ...). */
import { DomainError } from '@gatehouse/domain';
import type { TRPCError } from '@trpc/server';

/** `{ 'retry-after': seconds }` when an error says how long to wait, else no header. */
export function retryAfterHeaders(errors: readonly TRPCError[]): Record<string, string> {
  let wait = 0;
  for (const e of errors) {
    if (e.code !== 'TOO_MANY_REQUESTS') continue;
    const details = e.cause instanceof DomainError ? e.cause.details : undefined;
    const seconds = Number(details?.retryAfterSeconds);
    wait = Math.max(wait, Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 1);
  }
  return wait > 0 ? { 'retry-after': String(wait) } : {};
}

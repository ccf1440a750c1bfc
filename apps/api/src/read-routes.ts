/**
 * Which route answers permission reads (`/trpc/authz.*` queries), issue 15. Three designs were
 * measured side by side (`pnpm bench:check`, docs/benchmarks.md); the fastest is the default:
 * - `direct`: the reads' table without tRPC's middleware chain (direct-reads.ts);
 * - `lean`: tRPC's procedures called without its fetch adapter (lean-reads.ts);
 * - `trpc`: tRPC's adapter for every call, as before issue 15.
 */
import type { ApiCallbacks } from './api-context.js';
import { createDirectReads } from './direct-reads.js';
import { createLeanReads } from './lean-reads.js';
import type { ReadRoute } from './read-framing.js';

/** A read route design. */
export type ReadRouteKind = 'direct' | 'lean' | 'trpc';

/** The route of `kind` (default `direct`), or null for `trpc` (the adapter answers all). */
export function createReadRoute(
  kind: ReadRouteKind | undefined,
  callbacks: ApiCallbacks,
): ReadRoute | null {
  if (kind === 'trpc') return null;
  return kind === 'lean' ? createLeanReads(callbacks) : createDirectReads(callbacks);
}

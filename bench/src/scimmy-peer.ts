/**
 * The peer for SCIM filter lookups: SCIMMY's own in-memory filter (`SCIMMY.Types.Filter.match`),
 * which is what a server built on scimmy-routers' defaults runs when it keeps users in memory
 * and filters them per request. Same documents, same filters, timed in process (no HTTP, no
 * database), so the comparison flatters the peer.
 */
import SCIMMY from 'scimmy';

/** p50/p99 of one filter over `docs`, and how many matched (to check both sides agree). */
export interface PeerResult {
  readonly p50ms: number;
  readonly p99ms: number;
  readonly matches: number;
}

/** Times `runs` evaluations of filters from `next()` over `docs` with SCIMMY's filter. */
export function scimmyFilterLookups(
  docs: readonly Record<string, unknown>[],
  next: () => string,
  runs: number,
): PeerResult {
  const samples: number[] = [];
  let matches = 0;
  for (let i = 0; i < runs; i++) {
    const expression = next();
    const t = performance.now();
    matches = new SCIMMY.Types.Filter(expression).match(docs as unknown[]).length;
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { p50ms: at(0.5), p99ms: at(0.99), matches };
}

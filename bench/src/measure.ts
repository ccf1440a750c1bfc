/**
 * Timing and memory helpers. A single check is far below the timer's resolution, so latency is
 * measured per batch of consecutive checks (`process.hrtime.bigint()` around the batch, divided by
 * its size); p50 / p99 are over those per-batch averages.
 */

/** Runs checks `from` (inclusive) to `to` (exclusive) of the request list. */
export type RunRange = (from: number, to: number) => void;

export interface LoopOptions {
  /** Checks per timed batch. */
  readonly batch: number;
  /** Keep looping over the list (wrapping around) until this much time has passed. */
  readonly minMs?: number;
  /** Stop after the batch that crosses this much time, even mid-list. */
  readonly maxMs?: number;
}

export interface LoopResult {
  /** Checks run in the timed loop. */
  readonly checks: number;
  /** Distinct requests covered (≤ the list length). */
  readonly covered: number;
  readonly ms: number;
  readonly perSec: number;
  /**
   * Checks per second of CPU time this process used in the loop (all its threads): less sensitive
   * than `perSec` to other processes taking the CPUs.
   */
  readonly perCpuSec: number;
  /** Median and 99th percentile of per-check time, from per-batch averages, in ns. */
  readonly p50ns: number;
  readonly p99ns: number;
  readonly batches: number;
  /** False when `maxMs` cut the first pass short. */
  readonly complete: boolean;
}

const MAX_SAMPLES = 1 << 20;

/** Times `run` over a list of `total` requests in batches. */
export function timeLoop(run: RunRange, total: number, opts: LoopOptions): LoopResult {
  const batch = opts.batch;
  const minNs = (opts.minMs ?? 0) * 1e6;
  const maxNs = (opts.maxMs ?? Number.POSITIVE_INFINITY) * 1e6;
  const samples = new Float64Array(MAX_SAMPLES);
  let nSamples = 0;
  let checks = 0;
  let covered = 0;
  let pos = 0;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  let before = start;
  let elapsed = 0;
  for (;;) {
    const to = Math.min(total, pos + batch);
    run(pos, to);
    const after = process.hrtime.bigint();
    const n = to - pos;
    if (nSamples < MAX_SAMPLES && n === batch) samples[nSamples++] = Number(after - before) / n;
    before = after;
    checks += n;
    if (covered < total) covered = Math.min(total, covered + n);
    pos = to === total ? 0 : to;
    elapsed = Number(after - start);
    if (elapsed >= maxNs) break;
    if (covered === total && pos === 0 && elapsed >= minNs) break;
  }
  const cpu = process.cpuUsage(cpu0);
  const sorted = samples.slice(0, nSamples).sort();
  const pct = (q: number) =>
    nSamples === 0 ? Number.NaN : sorted[Math.min(nSamples - 1, Math.floor(q * nSamples))]!;
  return {
    checks,
    covered,
    ms: elapsed / 1e6,
    perSec: checks / (elapsed / 1e9),
    perCpuSec: checks / ((cpu.user + cpu.system) / 1e6),
    p50ns: pct(0.5),
    p99ns: pct(0.99),
    batches: nSamples,
    complete: covered === total,
  };
}

type Gc = () => void;
const gc: Gc | undefined = (globalThis as { gc?: Gc }).gc;

/** True when `node --expose-gc` made memory figures meaningful. */
export const hasGc = gc !== undefined;

function settle(): NodeJS.MemoryUsage {
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage();
}

export interface Built<T> {
  readonly value: T;
  readonly ms: number;
  /** V8 heap used after the build minus before, after full GCs, in MB (NaN without --expose-gc). */
  readonly heapMB: number;
  /** ArrayBuffer memory (typed arrays live outside the V8 heap), same method, in MB. */
  readonly buffersMB: number;
}

const MB = 1024 * 1024;

/** Builds something, timing it and measuring the memory it keeps. */
export async function measureBuild<T>(build: () => T | Promise<T>): Promise<Built<T>> {
  const m0 = settle();
  const t0 = process.hrtime.bigint();
  const value = await build();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const m1 = settle();
  return {
    value,
    ms,
    heapMB: hasGc ? (m1.heapUsed - m0.heapUsed) / MB : Number.NaN,
    buffersMB: hasGc ? (m1.arrayBuffers - m0.arrayBuffers) / MB : Number.NaN,
  };
}

/** Releases garbage between engines so one engine's leftovers do not slow the next. */
export function collect(): void {
  settle();
}

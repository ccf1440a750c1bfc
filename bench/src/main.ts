/**
 * `pnpm bench`: Gatehouse's engine, node-casbin (every formulation in ./casbin.ts) and the naive
 * reference evaluator, answering the same generated requests at three org sizes. Prints a table,
 * writes bench/results/engine.json, and exits 1 when any engine disagrees with Gatehouse's engine
 * (or Gatehouse's engine with the reference) on any request it ran.
 *
 *   node --expose-gc dist/main.js [--sizes small,medium,large] [--casbin all|<key>,...]
 *     [--casbin-ms 6000] [--ref-ms 6000] [--gatehouse-ms 2000] [--async-ms 3000]
 *     [--async-formulation materialized+g-only]
 *     [--requests N] [--seed N]
 * Sizes can also come from BENCH_SIZES.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createEngine, type Engine, type OrgSnapshot } from '@gatehouse/core';
import { ReferenceEvaluator } from '@gatehouse/core/reference';
import {
  buildCasbin,
  type CasbinEngine,
  casbinRequests,
  FASTEST_FORMULATIONS,
  FORMULATIONS,
  formulation,
} from './casbin.js';
import {
  DEFAULT_SEED,
  generateRequests,
  generateSnapshot,
  type Requests,
  SIZES,
  type SizeName,
  withOverrideSlots,
} from './generate.js';
import { collect, hasGc, measureBuild, type RunRange, timeLoop } from './measure.js';

interface Options {
  sizes: SizeName[];
  casbin: string[];
  casbinMs: number;
  refMs: number;
  gatehouseMs: number;
  asyncMs: number;
  asyncFormulation: string;
  requests: number | undefined;
  seed: number;
}

function options(): Options {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      sizes: { type: 'string' },
      casbin: { type: 'string' },
      'casbin-ms': { type: 'string' },
      'ref-ms': { type: 'string' },
      'gatehouse-ms': { type: 'string' },
      'async-ms': { type: 'string' },
      'async-formulation': { type: 'string' },
      requests: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const sizes = (values.sizes ?? process.env.BENCH_SIZES ?? 'small,medium,large')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of sizes) {
    if (!(s in SIZES)) throw new Error(`unknown size ${s} (small, medium, large)`);
  }
  const casbin =
    !values.casbin || values.casbin === 'all'
      ? FORMULATIONS.map((f) => f.key)
      : values.casbin.split(',').map((k) => formulation(k.trim()).key);
  const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
  return {
    sizes: sizes as SizeName[],
    casbin,
    casbinMs: num(values['casbin-ms'], 6_000),
    refMs: num(values['ref-ms'], 6_000),
    gatehouseMs: num(values['gatehouse-ms'], 2_000),
    asyncMs: num(values['async-ms'], 3_000),
    asyncFormulation: formulation(values['async-formulation'] ?? 'materialized+g-only').key,
    requests: values.requests === undefined ? undefined : Number(values.requests),
    seed: num(values.seed, DEFAULT_SEED),
  };
}

interface EngineResult {
  engine: string;
  buildMs: number;
  heapMB: number;
  buffersMB: number;
  checksPerSec: number;
  /** Checks per CPU-second of this process (robust to other load on the machine). */
  checksPerCpuSec: number;
  p50ns: number;
  p99ns: number;
  /** Checks run in the timed loop (may exceed the list when it loops). */
  checks: number;
  /** Requests answered (decisions compared), of `requests`. */
  covered: number;
  requests: number;
  /** Decisions equal to Gatehouse's, of `covered`. */
  agree: number;
  /** Decisions equal to the reference's on the reference's sample, of `referenceCompared`. */
  agreeWithReference?: number;
  referenceCompared?: number;
  batch: number;
  rules?: Record<string, number>;
  note?: string;
}

interface SizeResult {
  size: SizeName;
  users: number;
  scopes: number;
  groups: number;
  memberships: number;
  assignments: number;
  environmentLimited: number;
  requests: number;
  allowedShare: number;
  generateMs: number;
  /** 1/5/15-minute load averages when Gatehouse's loop finished (other processes share the CPUs). */
  loadAverage: number[];
  engines: EngineResult[];
  reportedCasbin: string | null;
  /** Gatehouse checks/s over the reported casbin formulation's. */
  ratio: number | null;
  /** The same over checks per CPU-second, and casbin's p50 over Gatehouse's. */
  ratioCpu: number | null;
  ratioP50: number | null;
}

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '—';

/**
 * Batch size for latency timing: 100 checks; 10 for engines over 100 µs a check and 1 over 5 ms
 * (judged on the warm-up), where the timer's resolution no longer matters and a batch of 100
 * would overshoot the time cap.
 */
function batchFor(nsPerCheck: number): number {
  return nsPerCheck > 5e6 ? 1 : nsPerCheck > 1e5 ? 10 : 100;
}

function warm(run: RunRange, total: number, maxMs: number): number {
  const w = timeLoop(run, total, { batch: 10, maxMs });
  return 1e9 / w.perSec;
}

function countAgree(a: Uint8Array, b: Uint8Array, n: number): number {
  let same = 0;
  for (let i = 0; i < n; i++) if (a[i] === b[i]) same++;
  return same;
}

function runGatehouse(engine: Engine, req: Requests, out: Uint8Array): RunRange {
  const { subject, permission, scope, environment } = req;
  return (from, to) => {
    for (let i = from; i < to; i++) {
      out[i] = engine.can(subject[i]!, permission[i]!, scope[i]!, environment[i]) ? 1 : 0;
    }
  };
}

/** Same loop as runGatehouse, a separate closure so the two keep separate type feedback. */
function runGatehouseSorted(engine: Engine, req: Requests, out: Uint8Array): RunRange {
  const { subject, permission, scope, environment } = req;
  return (from, to) => {
    for (let i = from; i < to; i++) {
      out[i] = engine.can(subject[i]!, permission[i]!, scope[i]!, environment[i]) ? 1 : 0;
    }
  };
}

function runReference(ref: ReferenceEvaluator, req: Requests, out: Uint8Array): RunRange {
  const { subject, permission, scope, environment } = req;
  return (from, to) => {
    for (let i = from; i < to; i++) {
      out[i] = ref.check(subject[i]!, permission[i]!, scope[i]!, environment[i]) ? 1 : 0;
    }
  };
}

function runCasbin(c: CasbinEngine, req: Requests, out: Uint8Array): RunRange {
  const { sub, dom, obj, env } = casbinRequests(c, req);
  const e = c.enforcer;
  return (from, to) => {
    for (let i = from; i < to; i++) out[i] = e.enforceSync(sub[i], dom[i], obj[i], env[i]) ? 1 : 0;
  };
}

/** `await enforcer.enforce(...)` one at a time, batches of 100, until done or `maxMs`. */
async function timeAsyncCasbin(
  c: CasbinEngine,
  req: Requests,
  out: Uint8Array,
  maxMs: number,
): Promise<{
  checks: number;
  ms: number;
  perSec: number;
  perCpuSec: number;
  p50ns: number;
  p99ns: number;
}> {
  const { sub, dom, obj, env } = casbinRequests(c, req);
  const e = c.enforcer;
  const samples: number[] = [];
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  let checks = 0;
  let elapsed = 0;
  while (checks < req.length && elapsed < maxMs * 1e6) {
    const t0 = process.hrtime.bigint();
    const to = Math.min(req.length, checks + 100);
    for (let i = checks; i < to; i++) {
      out[i] = (await e.enforce(sub[i], dom[i], obj[i], env[i])) ? 1 : 0;
    }
    const t1 = process.hrtime.bigint();
    if (to - checks === 100) samples.push(Number(t1 - t0) / 100);
    checks = to;
    elapsed = Number(t1 - start);
  }
  const cpu = process.cpuUsage(cpu0);
  samples.sort((a, b) => a - b);
  const pct = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return {
    checks,
    ms: elapsed / 1e6,
    perSec: checks / (elapsed / 1e9),
    perCpuSec: checks / ((cpu.user + cpu.system) / 1e6),
    p50ns: pct(0.5),
    p99ns: pct(0.99),
  };
}

/** What every engine of one size shares: the data, and the decisions to compare against. */
interface Bench {
  readonly snapshot: OrgSnapshot;
  readonly req: Requests;
  readonly opts: Options;
  /** Gatehouse's decisions on every request. */
  readonly gh: Uint8Array;
  /** The reference's decisions on its sample (the first `refCovered` requests). */
  readonly ref: Uint8Array;
  refCovered: number;
}

// Each engine is built and measured in its own function, so nothing but its result outlives it
// and the next engine's memory figure starts from a clean heap.

async function benchGatehouse(b: Bench): Promise<EngineResult[]> {
  const { snapshot, req, gh, opts } = b;
  const n = req.length;
  const built = await measureBuild(() => createEngine(snapshot));
  const engine = built.value;
  if (engine.skippedAssignments.length > 0) {
    throw new Error(
      `generator made ${engine.skippedAssignments.length} assignments with no effect`,
    );
  }
  const run = runGatehouse(engine, req, gh);
  timeLoop(run, n, { batch: 100 }); // warm-up: one pass
  const loop = timeLoop(run, n, { batch: 100, minMs: opts.gatehouseMs });
  const main: EngineResult = {
    engine: 'gatehouse',
    buildMs: built.ms,
    heapMB: built.heapMB,
    buffersMB: built.buffersMB,
    checksPerSec: loop.perSec,
    checksPerCpuSec: loop.perCpuSec,
    p50ns: loop.p50ns,
    p99ns: loop.p99ns,
    checks: loop.checks,
    covered: n,
    requests: n,
    agree: n,
    batch: 100,
    note: `${fmt(loop.checks / n, 1)} passes; grant masks ${fmt(engine.maskBytes / 1024)} KB`,
  };

  // The same requests sorted by subject: what the random order costs in cache misses.
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) =>
    req.subject[x]! < req.subject[y]! ? -1 : req.subject[x]! > req.subject[y]! ? 1 : x - y,
  );
  const sorted: Requests = {
    length: n,
    subject: order.map((i) => req.subject[i]!),
    permission: order.map((i) => req.permission[i]!),
    scope: order.map((i) => req.scope[i]!),
    environment: order.map((i) => req.environment[i]),
  };
  const out = new Uint8Array(n);
  const sortedRun = runGatehouseSorted(engine, sorted, out);
  timeLoop(sortedRun, n, { batch: 100 });
  const sortedLoop = timeLoop(sortedRun, n, { batch: 100, minMs: opts.gatehouseMs / 2 });
  let agree = 0;
  for (let k = 0; k < n; k++) if (out[k] === gh[order[k]!]) agree++;
  return [
    main,
    {
      engine: 'gatehouse, sorted by subject',
      buildMs: Number.NaN,
      heapMB: Number.NaN,
      buffersMB: Number.NaN,
      checksPerSec: sortedLoop.perSec,
      checksPerCpuSec: sortedLoop.perCpuSec,
      p50ns: sortedLoop.p50ns,
      p99ns: sortedLoop.p99ns,
      checks: sortedLoop.checks,
      covered: n,
      requests: n,
      agree,
      batch: 100,
      note: "same engine and requests, each subject's checks consecutive (cache-friendly order)",
    },
  ];
}

/**
 * The same requests on the org with the identity-platform module slots `override` (issue 12) and
 * org-level module roles that sub-organization roles replace (`withOverrideSlots`). Its decisions
 * differ from the additive rows', so they are compared with the reference on the same org (a
 * time-capped prefix).
 */
async function benchOverride(b: Bench): Promise<EngineResult> {
  const { req, opts } = b;
  const n = req.length;
  const snapshot = withOverrideSlots(b.snapshot, opts.seed);
  const built = await measureBuild(() => createEngine(snapshot));
  const engine = built.value;
  const out = new Uint8Array(n);
  const run = runGatehouseOverride(engine, req, out);
  timeLoop(run, n, { batch: 100 }); // warm-up: one pass
  const loop = timeLoop(run, n, { batch: 100, minMs: opts.gatehouseMs });
  const expected = new Uint8Array(n);
  const ref = runReference(new ReferenceEvaluator(snapshot), req, expected);
  const sample = timeLoop(ref, n, { batch: 10, maxMs: opts.refMs / 2 });
  let changed = 0;
  for (let i = 0; i < n; i++) if (out[i] !== b.gh[i]) changed++;
  return {
    engine: 'gatehouse, override slots',
    buildMs: built.ms,
    heapMB: built.heapMB,
    buffersMB: built.buffersMB,
    checksPerSec: loop.perSec,
    checksPerCpuSec: loop.perCpuSec,
    p50ns: loop.p50ns,
    p99ns: loop.p99ns,
    checks: loop.checks,
    covered: sample.covered,
    requests: n,
    agree: countAgree(out, expected, sample.covered),
    batch: 100,
    note: `identity-platform module slots override, ${snapshot.assignments.length - b.snapshot.assignments.length} org-level module roles added; agree: with the reference (first ${sample.covered} requests); ${changed} decisions differ from the additive org's; grant masks ${fmt(engine.maskBytes / 1024)} KB`,
  };
}

/** Same loop as runGatehouse, a separate closure so the two keep separate type feedback. */
function runGatehouseOverride(engine: Engine, req: Requests, out: Uint8Array): RunRange {
  const { subject, permission, scope, environment } = req;
  return (from, to) => {
    for (let i = from; i < to; i++) {
      out[i] = engine.can(subject[i]!, permission[i]!, scope[i]!, environment[i]) ? 1 : 0;
    }
  };
}

/** The reference on a prefix of the (random-order) list, capped by time. */
async function benchReference(b: Bench): Promise<EngineResult> {
  const { snapshot, req, opts, ref, gh } = b;
  const n = req.length;
  const built = await measureBuild(() => new ReferenceEvaluator(snapshot));
  const run = runReference(built.value, req, ref);
  const batch = batchFor(warm(run, n, Math.min(500, opts.refMs / 10)));
  const loop = timeLoop(run, n, { batch, maxMs: opts.refMs });
  b.refCovered = loop.covered;
  return {
    engine: 'reference',
    buildMs: built.ms,
    heapMB: built.heapMB,
    buffersMB: built.buffersMB,
    checksPerSec: loop.perSec,
    checksPerCpuSec: loop.perCpuSec,
    p50ns: loop.p50ns,
    p99ns: loop.p99ns,
    checks: loop.checks,
    covered: loop.covered,
    requests: n,
    agree: countAgree(ref, gh, loop.covered),
    batch,
    note: loop.complete ? 'all requests' : `sample: first ${loop.covered} requests (time cap)`,
  };
}

/**
 * One casbin formulation through `enforceSync`, capped by time; for the `--async-formulation`
 * one, also through the async `enforce()` on the same enforcer.
 */
async function benchCasbin(b: Bench, key: string): Promise<EngineResult[]> {
  const { snapshot, req, opts, ref, gh } = b;
  const n = req.length;
  const out = new Uint8Array(n);
  const built = await measureBuild(() => buildCasbin(snapshot, formulation(key)));
  const run = runCasbin(built.value, req, out);
  const batch = batchFor(warm(run, n, Math.min(1000, opts.casbinMs / 10)));
  const loop = timeLoop(run, n, { batch, maxMs: opts.casbinMs });
  const overlap = Math.min(b.refCovered, loop.covered);
  const result: EngineResult = {
    engine: `casbin ${key}`,
    buildMs: built.ms,
    heapMB: built.heapMB,
    buffersMB: built.buffersMB,
    checksPerSec: loop.perSec,
    checksPerCpuSec: loop.perCpuSec,
    p50ns: loop.p50ns,
    p99ns: loop.p99ns,
    checks: loop.checks,
    covered: loop.covered,
    requests: n,
    agree: countAgree(out, gh, loop.covered),
    agreeWithReference: countAgree(out, ref, overlap),
    referenceCompared: overlap,
    batch,
    rules: built.value.ruleCounts,
    note: loop.complete ? 'enforceSync' : `enforceSync; time cap ${opts.casbinMs} ms`,
  };
  if (key !== opts.asyncFormulation || opts.asyncMs <= 0) return [result];
  out.fill(0);
  const a = await timeAsyncCasbin(built.value, req, out, opts.asyncMs);
  const asyncResult: EngineResult = {
    engine: `casbin ${key} (async)`,
    buildMs: Number.NaN,
    heapMB: Number.NaN,
    buffersMB: Number.NaN,
    checksPerSec: a.perSec,
    checksPerCpuSec: a.perCpuSec,
    p50ns: a.p50ns,
    p99ns: a.p99ns,
    checks: a.checks,
    covered: a.checks,
    requests: req.length,
    agree: countAgree(out, gh, a.checks),
    batch: 100,
    note: `await enforce() per check; time cap ${opts.asyncMs} ms`,
  };
  return [result, asyncResult];
}

async function benchSize(name: SizeName, opts: Options): Promise<SizeResult> {
  const spec = { ...SIZES[name], ...(opts.requests ? { requests: opts.requests } : {}) };
  const t0 = process.hrtime.bigint();
  const snapshot = generateSnapshot(spec, opts.seed);
  const req = generateRequests(snapshot, spec.requests, opts.seed);
  const generateMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const n = req.length;
  const groups = snapshot.subjects.filter((s) => s.type === 'group').length;
  const count = (x: number) => x.toLocaleString('en-US');
  console.log(
    `\n== ${name}: ${count(spec.users)} users, ${count(snapshot.scopes.length)} scopes, ${count(snapshot.assignments.length)} assignments, ${groups} groups, ${count(snapshot.memberships.length)} memberships; ${count(n)} requests (generated in ${fmt(generateMs)} ms)`,
  );
  const b: Bench = {
    snapshot,
    req,
    opts,
    gh: new Uint8Array(n),
    ref: new Uint8Array(n),
    refCovered: 0,
  };
  const engines: EngineResult[] = [];
  const log = (r: EngineResult) => {
    engines.push(r);
    console.log(
      `   ${r.engine.padEnd(42)} build ${fmt(r.buildMs, 1).padStart(9)} ms  ${fmt(r.checksPerSec).padStart(11)} checks/s  agree ${r.agree}/${r.covered}${r.covered < r.requests ? ` (of ${r.requests}, time-capped)` : ''}`,
    );
  };

  for (const r of await benchGatehouse(b)) log(r);
  log(await benchOverride(b));
  const load = os.loadavg();
  console.log(
    `   load average ${load.map((x) => x.toFixed(2)).join(' ')} (1/5/15 min, ${os.cpus().length} CPUs)`,
  );
  let allowed = 0;
  for (let i = 0; i < n; i++) allowed += b.gh[i]!;
  log(await benchReference(b));
  for (const key of opts.casbin) for (const r of await benchCasbin(b, key)) log(r);

  // The reported casbin figure: the fastest formulation that agreed on everything it ran.
  const best = engines
    .filter(
      (e) =>
        e.engine.startsWith('casbin ') &&
        !e.engine.endsWith(' (async)') &&
        e.covered > 0 &&
        e.agree === e.covered &&
        e.agreeWithReference === e.referenceCompared,
    )
    .sort((x, y) => y.checksPerSec - x.checksPerSec)[0];
  const reportedCasbin = best ? best.engine.slice('casbin '.length) : null;
  collect();
  const gatehouse = engines[0]!;
  return {
    size: name,
    users: spec.users,
    scopes: snapshot.scopes.length,
    groups,
    memberships: snapshot.memberships.length,
    assignments: snapshot.assignments.length,
    environmentLimited: snapshot.assignments.filter((a) => a.environment !== null).length,
    requests: n,
    allowedShare: allowed / n,
    generateMs,
    loadAverage: load.map((x) => Math.round(x * 100) / 100),
    engines,
    reportedCasbin,
    ratio: best ? gatehouse.checksPerSec / best.checksPerSec : null,
    ratioCpu: best ? gatehouse.checksPerCpuSec / best.checksPerCpuSec : null,
    ratioP50: best ? best.p50ns / gatehouse.p50ns : null,
  };
}

function table(results: SizeResult[]): string {
  const head = [
    'size',
    'engine',
    'build ms',
    'heap MB',
    'buf MB',
    'checks/s',
    'per CPU-s',
    'p50 ns',
    'p99 ns',
    'agree',
  ];
  const rows: string[][] = [];
  for (const r of results) {
    for (const e of r.engines) {
      rows.push([
        r.size,
        e.engine + (e.engine === `casbin ${r.reportedCasbin}` ? ' *' : ''),
        fmt(e.buildMs, 1),
        fmt(e.heapMB, 1),
        fmt(e.buffersMB, 1),
        fmt(e.checksPerSec),
        fmt(e.checksPerCpuSec),
        fmt(e.p50ns),
        fmt(e.p99ns),
        `${e.agree}/${e.covered}${e.covered < e.requests ? ` of ${e.requests}` : ''}`,
      ]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w, i) => (i < 2 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

async function main(): Promise<number> {
  const opts = options();
  if (!hasGc) console.warn('warning: run with node --expose-gc for memory figures');
  const started = Date.now();
  console.log(
    `Gatehouse engine vs node-casbin vs reference — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, seed ${opts.seed}`,
  );
  const results: SizeResult[] = [];
  for (const s of opts.sizes) results.push(await benchSize(s, opts));

  console.log(`\n${table(results)}\n`);
  console.log('* reported casbin figure: fastest formulation that agreed on every request it ran');
  for (const r of results) {
    const gh = r.engines.find((e) => e.engine === 'gatehouse')!;
    console.log(
      `${r.size}: gatehouse ${fmt(1e9 / gh.checksPerSec, 1)} ns/check; ${r.ratio === null ? 'no correct casbin formulation' : `${fmt(r.ratio, 1)}× casbin ${r.reportedCasbin} (per CPU-s ${fmt(r.ratioCpu ?? Number.NaN, 1)}×, p50 ${fmt(r.ratioP50 ?? Number.NaN, 1)}×)`}${r.ratio !== null && r.ratio >= 10 ? ' — ≥ 10× target met' : ' — below the 10× target'}`,
    );
    const ov = r.engines.find((e) => e.engine === 'gatehouse, override slots');
    if (ov) {
      console.log(
        `${r.size}: gatehouse with override slots ${fmt(1e9 / ov.checksPerSec, 1)} ns/check (${fmt(gh.checksPerSec / ov.checksPerSec, 2)}× the additive cost)`,
      );
    }
  }
  const ns = results.map(
    (r) => 1e9 / r.engines.find((e) => e.engine === 'gatehouse')!.checksPerSec,
  );
  const growth = ns.length > 1 ? ns[ns.length - 1]! / ns[0]! : 1;
  if (ns.length > 1) {
    console.log(
      `gatehouse per-check cost ${results[results.length - 1]!.size} / ${results[0]!.size}: ${fmt(growth, 2)}×`,
    );
  }
  const failures: string[] = [];
  for (const r of results) {
    for (const e of r.engines) {
      if (e.agree !== e.covered)
        failures.push(`${r.size} ${e.engine}: agree ${e.agree}/${e.covered}`);
      if (e.agreeWithReference !== e.referenceCompared) {
        failures.push(
          `${r.size} ${e.engine}: agree with reference ${e.agreeWithReference}/${e.referenceCompared}`,
        );
      }
    }
  }
  const file = fileURLToPath(new URL('../results/engine.json', import.meta.url));
  mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: {
          cpus: os.cpus().length,
          cpu: os.cpus()[0]?.model ?? null,
          memoryGB: Math.round(os.totalmem() / 1024 ** 3),
          node: process.version,
          platform: `${os.platform()} ${os.release()}`,
          exposeGc: hasGc,
        },
        options: opts,
        fastestFormulationsInTests: FASTEST_FORMULATIONS,
        sizes: results,
        gatehouseNsPerCheck: Object.fromEntries(results.map((r, i) => [r.size, ns[i]])),
        gatehouseCostGrowth: growth,
        failures,
        totalSeconds: (Date.now() - started) / 1000,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nwrote ${file} in ${fmt((Date.now() - started) / 1000, 0)} s total`);
  if (failures.length > 0) {
    console.error(`DISAGREEMENT:\n  ${failures.join('\n  ')}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);

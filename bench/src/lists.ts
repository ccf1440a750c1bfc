/**
 * `node dist/lists.js` (issue 15, C5): "who has this permission here" — `engine.listSubjects`
 * (first page of 100) next to the reference evaluator's `subjectsWith` on the same questions, at
 * the benchmark org sizes. Every question is a new (scope, permission, environment), so the
 * engine's per-question cache never answers; the reference is run on a prefix of the questions,
 * capped by time. The first pages are compared with the reference's answers. Prints queries per
 * second and the ratio; asserts nothing about time.
 *
 *   node dist/lists.js [--sizes small,medium,large] [--queries 2000] [--reference-ms 4000]
 */
import { parseArgs } from 'node:util';
import { createEngine, type Environment } from '@gatehouse/core';
import { ReferenceEvaluator } from '@gatehouse/core/reference';
import { generateSnapshot, SIZES, type SizeName } from './generate.js';
import { Rng } from './prng.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    sizes: { type: 'string', default: 'small,medium,large' },
    queries: { type: 'string', default: '2000' },
    'reference-ms': { type: 'string', default: '4000' },
  },
});

interface Question {
  readonly scope: string;
  readonly permission: string;
  readonly environment: Environment | undefined;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const rows: string[] = [];
for (const size of values.sizes.split(',') as SizeName[]) {
  const snapshot = generateSnapshot(SIZES[size]);
  const rng = new Rng(99);
  const envs: (Environment | undefined)[] = [undefined, 'live', 'sandbox'];
  const seen = new Set<string>();
  const questions: Question[] = [];
  const wanted = Number(values.queries);
  for (let tries = 0; questions.length < wanted && tries < wanted * 20; tries++) {
    const q = {
      scope: snapshot.scopes[Math.floor(rng.float() * snapshot.scopes.length)]!.id,
      permission: snapshot.permissions[Math.floor(rng.float() * snapshot.permissions.length)]!.name,
      environment: envs[Math.floor(rng.float() * envs.length)],
    };
    const key = `${q.scope} ${q.permission} ${q.environment}`;
    if (seen.has(key)) continue;
    seen.add(key);
    questions.push(q);
  }
  const engine = createEngine(snapshot);
  let listed = 0;
  const t0 = performance.now();
  const firstPages = questions.map((q) => {
    const page = engine.listSubjects(q.scope, q.permission, { environment: q.environment });
    listed += page.items.length;
    return page.items.map((s) => `${s.subjectId}:${s.membership}`);
  });
  const engineQps = questions.length / ((performance.now() - t0) / 1000);

  const reference = new ReferenceEvaluator(snapshot);
  const r0 = performance.now();
  let done = 0;
  let disagree = 0;
  while (done < questions.length && performance.now() - r0 < Number(values['reference-ms'])) {
    const q = questions[done]!;
    const all = reference.subjectsWith(q.scope, q.permission, q.environment);
    const first = all.slice(0, 100).map((s) => `${s.subjectId}:${s.membership}`);
    if (first.join() !== firstPages[done]!.join()) disagree++;
    done++;
  }
  const referenceQps = done / ((performance.now() - r0) / 1000);
  rows.push(
    `| ${size} | ${fmt(snapshot.subjects.length)} | ${fmt(snapshot.assignments.length)} | ${fmt(engineQps)} | ${fmt(referenceQps)} (${done} asked) | ×${(engineQps / referenceQps).toFixed(1)} | ${disagree} |`,
  );
  console.error(`${size}: ${questions.length} questions, ${listed} subjects listed`);
  if (disagree > 0) process.exitCode = 1;
}
console.log(
  '\n| size | subjects | assignments | engine listSubjects/s | reference subjectsWith/s | engine ÷ reference | first pages differing |',
);
console.log('|---|--:|--:|--:|--:|--:|--:|');
for (const r of rows) console.log(r);

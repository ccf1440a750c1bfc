#!/usr/bin/env node
// Sums every workspace package's vitest JSON report and prints the closing line CI reads:
//   tests: N passed, N failed, N skipped
// --clean          remove old reports first (run before `turbo run test`)
// --turbo-exit=N   turbo's exit code; a non-zero code fails the run even if no report says so
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dirs = ['packages', 'apps', 'tools'].flatMap((d) =>
  existsSync(join(root, d)) ? readdirSync(join(root, d)).map((p) => join(root, d, p)) : [],
);
dirs.push(join(root, 'bench'));

if (process.argv.includes('--clean')) {
  for (const dir of dirs) rmSync(join(dir, '.test-results'), { recursive: true, force: true });
  process.exit(0);
}

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const dir of dirs) {
  const pkgFile = join(dir, 'package.json');
  if (!existsSync(pkgFile)) continue;
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  if (!pkg.scripts?.test) continue;
  const report = join(dir, '.test-results', 'vitest.json');
  if (!existsSync(report)) {
    missing.push(pkg.name);
    continue;
  }
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A suite that failed to load has no tests in it but must still count as a failure.
  for (const suite of r.testResults ?? []) {
    if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) {
      failed += 1;
      console.error(`test file failed to run: ${suite.name}: ${suite.message ?? ''}`);
    }
  }
}
const turboExit = Number(
  (process.argv.find((a) => a.startsWith('--turbo-exit=')) ?? '--turbo-exit=0').split('=')[1],
);
if (missing.length > 0) {
  console.error(`no test report from: ${missing.join(', ')}`);
  failed += missing.length;
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 || turboExit !== 0 ? 1 : 0);

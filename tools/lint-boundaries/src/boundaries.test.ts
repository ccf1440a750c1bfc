/**
 * The import boundaries of biome.json (issue 11) are real: for each rule a deliberate violation
 * fails `biome lint` with noRestrictedImports, and a compliant twin passes. The probes are
 * written at their real paths inside a temporary copy of the repository's biome.json (override
 * globs are relative to it), so the test never touches the working tree others lint.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');

interface Probe {
  /** Path relative to the repository root, where biome.json's overrides look. */
  readonly path: string;
  readonly source: string;
}

interface Boundary {
  readonly name: string;
  /** A folder of the real tree the probes stand in: the rule is about it, so it must exist. */
  readonly realDir: string;
  readonly violations: readonly Probe[];
  readonly compliant: readonly Probe[];
}

const boundaries: readonly Boundary[] = [
  {
    name: 'core imports nothing of @gatehouse/*',
    realDir: 'packages/core/src',
    violations: [
      {
        path: 'packages/core/src/__probe_db.ts',
        source: "import { createDb } from '@gatehouse/db';\nexport const probe = [createDb];\n",
      },
      {
        path: 'packages/core/src/__probe_domain.ts',
        source: "export type { Call } from '@gatehouse/domain';\n",
      },
      {
        path: 'packages/core/src/reference/__probe_db_testing.ts',
        source: "export * from '@gatehouse/db/testing';\n",
      },
    ],
    compliant: [
      {
        path: 'packages/core/src/__probe_ok.ts',
        source: "import * as core from './index.js';\nexport const probe = [core];\n",
      },
    ],
  },
  {
    name: 'apps take from @gatehouse/db only what starting a process needs',
    realDir: 'apps/api/src',
    violations: [
      {
        path: 'apps/api/src/__probe_sql.ts',
        source: "import { sql } from '@gatehouse/db';\nexport const probe = [sql];\n",
      },
      {
        path: 'apps/server/src/__probe_db_type.ts',
        source: "import type { DB } from '@gatehouse/db';\nexport type Probe = DB;\n",
      },
      {
        path: 'apps/server/src/__probe_mixed.ts',
        source:
          "import { createDb, type Selectable } from '@gatehouse/db';\n" +
          'export const probe = [createDb];\nexport type Probe = Selectable<object>;\n',
      },
      {
        path: 'apps/scim/src/__probe_kysely.ts',
        source: "import { sql } from 'kysely';\nexport const probe = [sql];\n",
      },
      {
        path: 'apps/api/src/routers/__probe_fixtures.ts',
        source:
          "import { testBackends } from '@gatehouse/db/testing';\nexport const probe = [testBackends];\n",
      },
    ],
    compliant: [
      {
        path: 'apps/server/src/__probe_ok.ts',
        source:
          "import { analyze, createDb, DataDirLockedError, type Gatedb, migrateToLatest } from '@gatehouse/db';\n" +
          'export const probe = [analyze, createDb, DataDirLockedError, migrateToLatest];\n' +
          'export type Probe = Gatedb;\n',
      },
      // Tests and src/testing/ may use database fixtures, and apps/e2e is all tests.
      {
        path: 'apps/api/src/__probe_ok.test.ts',
        source:
          "import { type DB, sql } from '@gatehouse/db';\nexport const probe = [sql];\nexport type Probe = DB;\n",
      },
      {
        path: 'apps/api/src/testing/__probe_ok.ts',
        source: "import { sql } from '@gatehouse/db';\nexport const probe = [sql];\n",
      },
      {
        path: 'apps/e2e/src/__probe_ok.ts',
        source: "import { sql } from '@gatehouse/db';\nexport const probe = [sql];\n",
      },
    ],
  },
  {
    name: 'a domain folder enters another only through its index.ts',
    realDir: 'packages/domain/src/members',
    violations: [
      {
        path: 'packages/domain/src/members/__probe_deep.ts',
        source:
          "import * as groups from '../groups/some-file.js';\nexport const probe = [groups];\n",
      },
      {
        path: 'packages/domain/src/audit/__probe_reexport.ts',
        source: "export * from '../sessions/some-file.js';\n",
      },
      {
        path: 'packages/domain/src/__probe_top.ts',
        source:
          "import * as groups from './groups/some-file.js';\nexport const probe = [groups];\n",
      },
    ],
    compliant: [
      {
        path: 'packages/domain/src/members/__probe_ok.ts',
        source:
          "import * as groups from '../groups/index.js';\n" +
          "import * as members from './index.js';\n" +
          "import * as errors from '../errors.js';\n" +
          'export const probe = [groups, members, errors];\n',
      },
      {
        path: 'packages/domain/src/__probe_top_ok.ts',
        source:
          "import * as groups from './groups/index.js';\nimport * as errors from './errors.js';\n" +
          'export const probe = [groups, errors];\n',
      },
    ],
  },
];

interface Diagnostic {
  readonly category: string;
  readonly location?: { readonly path?: string };
}

/** The diagnostics of one `biome lint` run over every probe, by probe path. */
const found = new Map<string, Diagnostic[]>();
let probeCount = 0;
let lintedCount = 0;

beforeAll(() => {
  const sandbox = mkdtempSync(join(tmpdir(), 'gatehouse-boundaries-'));
  try {
    copyFileSync(join(repoRoot, 'biome.json'), join(sandbox, 'biome.json'));
    const probes = boundaries.flatMap((b) => [...b.violations, ...b.compliant]);
    for (const probe of probes) {
      mkdirSync(dirname(join(sandbox, probe.path)), { recursive: true });
      writeFileSync(join(sandbox, probe.path), probe.source);
    }
    // The sandbox is no git checkout: version-control integration off, everything else as is.
    const run = spawnSync(
      process.execPath,
      [
        biome,
        'lint',
        '--reporter=json',
        '--vcs-enabled=false',
        '--max-diagnostics=none',
        ...probes.map((p) => p.path),
      ],
      { cwd: sandbox, encoding: 'utf8' },
    );
    const report = JSON.parse(run.stdout) as {
      summary: { changed: number; unchanged: number };
      diagnostics: Diagnostic[];
    };
    probeCount = probes.length;
    lintedCount = report.summary.changed + report.summary.unchanged;
    for (const d of report.diagnostics) {
      const path = d.location?.path ?? '';
      found.set(path, [...(found.get(path) ?? []), d]);
    }
  } finally {
    rmSync(sandbox, { recursive: true, force: true });
  }
});

// A probe biome skipped (an ignored path) would pass vacuously.
it('biome lints every probe', () => {
  expect(lintedCount).toBe(probeCount);
});

describe.each(boundaries)('$name', (b) => {
  it('guards a folder that exists', () => {
    expect(existsSync(join(repoRoot, b.realDir))).toBe(true);
  });

  it.each(b.violations.map((p) => [p.path, p] as const))('fails lint: %s', (_path, probe) => {
    const categories = (found.get(probe.path) ?? []).map((d) => d.category);
    expect(categories).toContain('lint/style/noRestrictedImports');
  });

  it.each(b.compliant.map((p) => [p.path, p] as const))('passes lint: %s', (_path, probe) => {
    expect(found.get(probe.path) ?? []).toEqual([]);
  });
});

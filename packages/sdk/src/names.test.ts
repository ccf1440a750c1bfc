/**
 * Issue 12, typed names in the SDK. `gh.can` and `LocalChecker.can` take the permission names
 * registered by `gatehouse typegen` (the `Register` augmentation), or those of a client's type
 * argument; without either they take any string. Type tests are checked by
 * `tsc -p tsconfig.check.json` (test files included); the augmentation, which would change every
 * file of this package's compilation, is compiled with tsc in a scratch project.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AdminPermission,
  definePresetDocument,
  flowcodePreset,
  presetDocument,
  presetTypes,
  snapshotFor,
} from '@gatehouse/core';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { type CanQuery, createGatehouse } from './client.js';
import { LocalChecker } from './local.js';
import type { Permission, RoleKey, ScopeKind } from './names.js';

const docsApp = definePresetDocument({
  key: 'docs-app',
  name: 'Docs app',
  catalog: { docs: ['read', 'write'] },
  rootKind: 'organization',
  scopeKinds: { organization: { name: 'Organization' } },
  roles: { owner: { name: 'Owner', permissions: ['*'] } },
  ownerRole: 'owner',
});

/** A fetch answering every tRPC batch with one `authz.check` result; records the bodies. */
function fakeFetch(allowed: boolean, bodies: unknown[]): typeof fetch {
  return async (_url, init) => {
    bodies.push(JSON.parse(String(init?.body)));
    const data = {
      result: { allowed, code: allowed ? 'ok' : 'no_grant', reason: '' },
      revision: 7,
    };
    return new Response(JSON.stringify([{ result: { data } }]), {
      headers: { 'content-type': 'application/json' },
    });
  };
}

describe('issue 12: names without a registration are strings', () => {
  it('Permission, RoleKey and ScopeKind default to string (Register is not augmented here)', () => {
    expectTypeOf<Permission>().toEqualTypeOf<string>();
    expectTypeOf<RoleKey>().toEqualTypeOf<string>();
    expectTypeOf<ScopeKind>().toEqualTypeOf<string>();
    const gh = createGatehouse({ url: 'http://127.0.0.1:1' });
    expectTypeOf(gh.can).toBeCallableWith({
      orgId: 'org_1',
      subject: 'usr_1',
      permission: 'anything.at_all',
      scope: 'org_1',
    });
  });
});

describe('issue 12: names from a client’s type argument', () => {
  it('a typed preset: its permissions, role keys and scope kinds', () => {
    expectTypeOf<Permission<typeof docsApp>>().toEqualTypeOf<
      'docs.read' | 'docs.write' | AdminPermission
    >();
    expectTypeOf<RoleKey<typeof docsApp>>().toEqualTypeOf<'owner'>();
    expectTypeOf<ScopeKind<typeof flowcodePreset>>().toEqualTypeOf<'organization' | 'workspace'>();
  });

  it('the names themselves', () => {
    type Names = { permission: 'docs.read' | 'docs.write'; role: 'owner' };
    expectTypeOf<Permission<Names>>().toEqualTypeOf<'docs.read' | 'docs.write'>();
    expectTypeOf<RoleKey<Names>>().toEqualTypeOf<'owner'>();
    expectTypeOf<ScopeKind<Names>>().toEqualTypeOf<string>();
  });

  it('gh.can: a typo fails to compile; gh.can answers result.allowed of authz.check', async () => {
    const bodies: unknown[] = [];
    const gh = createGatehouse<typeof docsApp>({
      url: 'http://127.0.0.1:1',
      fetch: fakeFetch(true, bodies),
    });
    const query: CanQuery<typeof docsApp> = {
      orgId: 'org_1',
      subject: 'usr_1',
      permission: 'docs.write',
      scope: 'org_1',
      environment: 'live',
    };
    expect(await gh.can(query)).toBe(true);
    expect(bodies).toEqual([{ 0: query }]);
    // @ts-expect-error 'docs.wirte' is not a permission of docs-app
    expectTypeOf(gh.can).toBeCallableWith({ ...query, permission: 'docs.wirte' });
    // @ts-expect-error the names stay with clients made from this one
    expectTypeOf(gh.asUser('usr_2').can).toBeCallableWith({ ...query, permission: 'docs.wirte' });
    // gh.api, the raw tRPC client, is unchanged: any "module.action" string.
    expectTypeOf(gh.api.authz.check.query).toBeCallableWith({ ...query, permission: 'docs.wirte' });

    const denied = createGatehouse({ url: 'http://127.0.0.1:1', fetch: fakeFetch(false, []) });
    expect(await denied.can(query)).toBe(false);
  });

  it('LocalChecker.can: a typo fails to compile; answers as the engine', () => {
    const checker = new LocalChecker<typeof flowcodePreset>(
      snapshotFor(flowcodePreset, {
        orgId: 'org_1',
        scopes: [{ id: 'org_1', parentId: null, kind: 'organization', name: 'Acme' }],
        subjects: [{ id: 'usr_1', type: 'user', active: true, label: 'ada' }],
        assignments: [
          {
            id: 'asg_1',
            subjectId: 'usr_1',
            roleKey: 'org_admin',
            scopeId: 'org_1',
            environment: null,
          },
        ],
      }),
    );
    expect(checker.can('usr_1', 'flows.write', 'org_1')).toBe(true);
    expect(
      checker.check({ subject: 'usr_1', permission: 'members.invite', scope: 'org_1' }),
    ).toMatchObject({
      allowed: true,
    });
    // @ts-expect-error 'flows.wirte' is not a permission of the flowcode preset
    expect(checker.can('usr_1', 'flows.wirte', 'org_1')).toBe(false);
    const typo = {
      subject: 'usr_1',
      // @ts-expect-error the same in check()
      permission: 'flows.wirte',
      scope: 'org_1',
    } satisfies Parameters<typeof checker.check>[0];
    expect(checker.engine.check(typo).code).toBe('unknown_permission');
  });
});

describe('issue 12: names registered by the generated .d.ts (Register augmentation), with tsc', () => {
  const sdkSrc = fileURLToPath(new URL('./index.ts', import.meta.url));
  const sdkDir = fileURLToPath(new URL('../', import.meta.url));
  const tsc = join(
    dirname(createRequire(import.meta.url).resolve('typescript/package.json')),
    'bin',
    'tsc',
  );
  let dir: string;

  /** Compiles `usage.ts`, with `gatehouse-env.d.ts` when `withTypes`, against this SDK's source. */
  function compile(usage: string, withTypes: boolean): { code: number | null; out: string } {
    writeFileSync(join(dir, 'usage.ts'), usage);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(sdkDir, 'node_modules', '@types')],
          paths: { '@gatehouse/sdk': [sdkSrc] },
        },
        files: withTypes ? ['gatehouse-env.d.ts', 'usage.ts'] : ['usage.ts'],
      }),
    );
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], {
      cwd: dir,
      encoding: 'utf8',
    });
    return { code: r.status, out: r.stdout + r.stderr };
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-sdk-register-'));
    writeFileSync(join(dir, 'gatehouse-env.d.ts'), presetTypes(presetDocument(flowcodePreset)));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const usage = (typo: string) =>
    [
      "import { createGatehouse, type LocalChecker, type Permission, type RoleKey } from '@gatehouse/sdk';",
      "const gh = createGatehouse({ url: 'http://127.0.0.1:4000' });",
      'const q = { orgId: "org_1", subject: "usr_1", scope: "scp_1" };',
      'export async function run(checker: LocalChecker) {',
      "  await gh.can({ ...q, permission: 'flows.write' });",
      "  checker.can('usr_1', 'members.invite', 'scp_1');",
      "  const p: Permission = 'audience.export';",
      "  const r: RoleKey = 'workspace_editor';",
      "  await gh.api.authz.check.query({ ...q, permission: 'flows.wirte' }); // the raw client: any name",
      typo,
      '  return { p, r };',
      '}',
      '',
    ].join('\n');

  it('correct names compile; typos in gh.can, LocalChecker.can and the types are errors', () => {
    const r = compile(
      usage(
        [
          '  // @ts-expect-error typo',
          "  await gh.can({ ...q, permission: 'flows.wirte' });",
          '  // @ts-expect-error typo',
          "  checker.can('usr_1', 'flows.wirte', 'scp_1');",
          '  // @ts-expect-error typo',
          "  const bad: RoleKey = 'workspace_edtior';",
          '  void bad;',
        ].join('\n'),
      ),
      true,
    );
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('control: a typo alone fails to compile, naming it', () => {
    const r = compile(usage("  await gh.can({ ...q, permission: 'flows.wirte' });"), true);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('"flows.wirte"');
  });

  it('without the generated file, any string compiles', () => {
    const r = compile(usage("  await gh.can({ ...q, permission: 'flows.wirte' });"), false);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });
});

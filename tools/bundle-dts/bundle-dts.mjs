#!/usr/bin/env node
/**
 * bundle-dts: one .d.ts for a published package. Run in the package's folder after `tsc -b`:
 *
 *   bundle-dts <entry.d.ts> <out.d.ts> --inline @gatehouse/api --inline @gatehouse/domain
 *
 * Declarations of the `--inline` packages (private workspace packages, never published) are
 * copied into the output, as far as the entry's exports reach them. The package's own
 * `dependencies` and `peerDependencies` stay imports. Anything else the declarations reach (a dev
 * dependency, a Node built-in) fails the build: an adopter could not resolve it.
 *
 * rollup-plugin-dts needs the TypeScript compiler API, which TypeScript 7 does not have; this
 * package has its own TypeScript 5.9 for it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';
import ts from 'typescript';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { inline: { type: 'string', multiple: true, default: [] } },
});
const [entry, out] = positionals;
if (!entry || !out || positionals.length !== 2) {
  console.error('usage: bundle-dts <entry.d.ts> <out.d.ts> [--inline <package>]...');
  process.exit(2);
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const published = new Set([
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
]);
const inline = new Set(values.inline);

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
const packageOf = (id) => id.split('/', id.startsWith('@') ? 2 : 1).join('/');
const isPath = (id) => id.startsWith('.') || id.startsWith('/') || id.startsWith('\0');

/** Specifiers the declarations reach that an adopter could not resolve, with an importer each. */
const unresolvable = new Map();

const bundle = await rollup({
  input: entry,
  external(id, importer) {
    if (isPath(id) || inline.has(packageOf(id))) return false;
    if (!published.has(packageOf(id)) && !unresolvable.has(id)) unresolvable.set(id, importer);
    return true;
  },
  plugins: [
    dts({
      respectExternal: true,
      compilerOptions: {
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
      },
    }),
  ],
  onwarn(warning, warn) {
    // Inlined packages re-export more than the entry uses; rollup drops the rest, as it should.
    if (warning.code === 'UNUSED_EXTERNAL_IMPORT') return;
    warn(warning);
  },
});
const { output } = await bundle.generate({ format: 'es' });
await bundle.close();
// Each inlined file's header comment (what the file is for, how it works inside) stands alone:
// a blank line or another comment follows it. A declaration's documentation is followed by the
// declaration, and only that is for adopters.
const code = output[0].code
  .replace(/^\/\*(?:[^*]|\*(?!\/))*\*\/\n(?=\n|\/\*)/gm, '')
  .replace(/\n{3,}/g, '\n\n');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, code);

// What the written file imports (static imports, re-exports and `import("…")` types).
const imports = new Set(
  [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map(
    (m) => m[1],
  ),
);
for (const id of imports) {
  if (isPath(id) || !published.has(packageOf(id))) unresolvable.set(id, out);
}
// A specifier rollup saw but dropped with the declaration that used it does no harm.
for (const id of unresolvable.keys()) if (!imports.has(id)) unresolvable.delete(id);
if (unresolvable.size > 0) {
  console.error(`bundle-dts: ${out} imports what ${pkg.name} does not depend on:`);
  for (const [id, importer] of unresolvable) console.error(`  ${id}  (from ${importer})`);
  console.error(
    'Make it a dependency, inline it (--inline, private workspace packages only) or keep it out of the exported types.',
  );
  process.exit(1);
}
const kb = (Buffer.byteLength(code) / 1024).toFixed(1);
console.log(`bundle-dts: ${out} ${kb} KiB, imports ${[...imports].sort().join(', ') || 'nothing'}`);

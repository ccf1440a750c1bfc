/**
 * `gatehouse typegen` (issue 12): writes the `.d.ts` of a preset's names (`presetTypes`), which
 * registers them with `@gatehouse/sdk`, so an adopter's `gh.can({ permission: 'flows.wirte', … })`
 * fails to compile.
 *
 *   gatehouse typegen (--file ./my-product.json | --preset KEY) [--out ./gatehouse-env.d.ts]
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type PresetDocument, PresetRegistry, presetDocument, presetTypes } from '@gatehouse/core';
import { readPresetFile } from '../preset-files.js';

/** What `typegenCommand` is given: the command line's values, and where to report. */
export interface TypegenOptions {
  /** A preset document (JSON) to read and validate. */
  readonly file?: string | undefined;
  /** A preset key, resolved by `resolvePreset`. */
  readonly preset?: string | undefined;
  /** Where to write the `.d.ts`; without it the text goes to `print`. */
  readonly out?: string | undefined;
  /**
   * The document of the preset `--preset KEY` names, or a thrown error saying why there is none.
   * Default: the built-in presets (`builtInPresetDocument`).
   */
  readonly resolvePreset?: (key: string) => Promise<PresetDocument>;
  /** Prints to stdout (the text, or a line saying what was written). */
  readonly print: (text: string) => void;
  /** Reports a usage or input problem and exits (status 2 in the CLI). */
  readonly fail: (message: string) => never;
}

/** The document of a built-in preset; throws naming the keys there are. */
export async function builtInPresetDocument(key: string): Promise<PresetDocument> {
  const registry = PresetRegistry.withBuiltIns();
  const preset = registry.get(key);
  if (!preset) {
    throw new Error(`unknown preset "${key}" (built-in presets: ${registry.keys.join(', ')})`);
  }
  return presetDocument(preset);
}

/**
 * Runs `gatehouse typegen`: exactly one of `--file` and `--preset`; a file is read and validated
 * (every problem with its path), a key resolved; the `.d.ts` is written to `--out` or printed.
 *
 * @example
 * await typegenCommand({ file: './docs-app.json', out: './gatehouse-env.d.ts', print: console.log, fail });
 */
export async function typegenCommand(options: TypegenOptions): Promise<void> {
  const { file, preset, out, print } = options;
  if ((file === undefined) === (preset === undefined)) {
    options.fail('typegen takes one of --file FILE and --preset KEY');
  }
  let doc: PresetDocument;
  let command: string;
  if (file !== undefined) {
    const problems: string[] = [];
    const parsed = readPresetFile(resolve(file), (p) => problems.push(p));
    if (!parsed) options.fail(`${file}: ${problems.join('\n')}`);
    doc = presetDocument(parsed.preset);
    command = `gatehouse typegen --file ${file}`;
  } else {
    try {
      doc = await (options.resolvePreset ?? builtInPresetDocument)(preset as string);
    } catch (err) {
      options.fail((err as Error).message);
    }
    command = `gatehouse typegen --preset ${preset}`;
  }
  const text = presetTypes(doc, { command });
  if (out === undefined) return print(text.trimEnd());
  writeFileSync(out, text);
  print(`wrote ${out}: the names of preset "${doc.key}"`);
}

/**
 * The deployment's own presets, read once at start from the files `GATEHOUSE_PRESETS` names
 * (issue 12): each file one preset document, validated by `parsePresetDocument`. Any bad file
 * stops the start, naming every file and every problem in it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { type Preset, PresetError, PresetRegistry, parsePresetDocument } from '@gatehouse/core';

/** Thrown when a preset file is missing, not JSON, invalid or clashes; the message says which. */
export class PresetFilesError extends Error {
  override name = 'PresetFilesError';
}

const WILDCARD = /[*?]/;

/**
 * The files `patterns` name, in order, each once: a path, or a path whose file name holds `*`
 * or `?` (`./presets/*.json`, sorted by name, hidden files left out). Relative to `cwd`.
 */
export function presetFilePaths(
  patterns: readonly string[],
  cwd: string,
): { files: Array<{ shown: string; path: string }>; problems: string[] } {
  const files: Array<{ shown: string; path: string }> = [];
  const problems: string[] = [];
  const add = (shown: string) => {
    const path = resolve(cwd, shown);
    if (!files.some((f) => f.path === path)) files.push({ shown, path });
  };
  for (const pattern of patterns) {
    const dir = dirname(pattern);
    const name = basename(pattern);
    if (WILDCARD.test(dir)) {
      problems.push(`${pattern}: only the file name may hold wildcards (* and ?)`);
    } else if (!WILDCARD.test(name)) {
      add(pattern);
    } else {
      const re = new RegExp(
        `^${name
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      );
      const matches = listFiles(resolve(cwd, dir)).filter((f) => re.test(f));
      if (matches.length === 0) problems.push(`${pattern}: matches no file`);
      for (const f of matches) add(join(dir, f));
    }
  }
  return { files, problems };
}

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/**
 * The built-in presets plus those of the files `patterns` name (`GATEHOUSE_PRESETS`). Every
 * problem of every file (unreadable, not JSON, invalid document with each path, a key a
 * built-in or another file has) is collected into one `PresetFilesError`.
 *
 * @example
 * const presets = presetRegistryFromFiles(['./presets/*.json'], process.cwd());
 * createServices(db, { presets });
 */
export function presetRegistryFromFiles(patterns: readonly string[], cwd: string): PresetRegistry {
  const { files, problems } = presetFilePaths(patterns, cwd);
  const builtIns = PresetRegistry.withBuiltIns();
  const loaded: Array<{ shown: string; preset: Preset }> = [];
  for (const { shown, path } of files) {
    const preset = readPresetFile(path, (problem) => problems.push(`${shown}: ${problem}`));
    if (!preset) continue;
    const other = loaded.find((l) => l.preset.key === preset.key);
    if (builtIns.get(preset.key)) {
      problems.push(`${shown}: preset key "${preset.key}" is taken by a built-in preset`);
    } else if (other) {
      problems.push(`${shown}: preset key "${preset.key}" is taken by ${other.shown}`);
    } else {
      loaded.push({ shown, preset });
    }
  }
  if (problems.length > 0) {
    const s = problems.length === 1 ? '' : 's';
    throw new PresetFilesError(
      `GATEHOUSE_PRESETS: ${problems.length} preset file problem${s}:\n${problems.join('\n')}`,
    );
  }
  return PresetRegistry.withBuiltIns(loaded.map((l) => l.preset));
}

/** The preset in one file, or undefined after reporting why not. */
export function readPresetFile(
  path: string,
  report: (problem: string) => void,
): Preset | undefined {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    report(fileProblem(err));
    return undefined;
  }
  try {
    return parsePresetDocument(json);
  } catch (err) {
    if (!(err instanceof PresetError)) throw err;
    report(err.message);
    return undefined;
  }
}

/** Why a file could not be read as JSON, in a few words. */
function fileProblem(err: unknown): string {
  if (err instanceof SyntaxError) return `not JSON: ${err.message}`;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a folder, not a file';
  return `cannot read: ${(err as Error).message}`;
}

/**
 * The deployment's own presets, read at start from the files `GATEHOUSE_PRESETS` names (issue
 * 12): each file one preset document, validated by `parsePresetDocument`, then applied as the
 * next stored version of its key when it differs from the newest (`applyPreset`, source `file`),
 * so a file is versioned and evolves like `gatehouse preset apply`. Any bad file, or a version
 * the stored orgs refuse, stops the start, naming every file and every problem in it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { type Preset, PresetError, PresetRegistry, parsePresetDocument } from '@gatehouse/core';
import { applyPreset, DomainError, type Services } from '@gatehouse/domain';

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

/** One valid preset file. */
export interface PresetFile {
  /** The path as `GATEHOUSE_PRESETS` named it (or matched). */
  readonly shown: string;
  /** The document as read (renames included). */
  readonly document: unknown;
  readonly preset: Preset;
}

/**
 * The preset documents of the files `patterns` name (`GATEHOUSE_PRESETS`), validated. Every
 * problem of every file (unreadable, not JSON, invalid document with each path, a key a
 * built-in or another file has) is collected into one `PresetFilesError`.
 *
 * @example
 * const files = readPresetFiles(['./presets/*.json'], process.cwd());
 * await applyPresetFiles(services, files);
 */
export function readPresetFiles(patterns: readonly string[], cwd: string): PresetFile[] {
  const { files, problems } = presetFilePaths(patterns, cwd);
  const builtIns = PresetRegistry.withBuiltIns();
  const loaded: PresetFile[] = [];
  for (const { shown, path } of files) {
    const read = readPresetFile(path, (problem) => problems.push(`${shown}: ${problem}`));
    if (!read) continue;
    const { preset } = read;
    const other = loaded.find((l) => l.preset.key === preset.key);
    if (builtIns.get(preset.key)) {
      problems.push(`${shown}: preset key "${preset.key}" is taken by a built-in preset`);
    } else if (other) {
      problems.push(`${shown}: preset key "${preset.key}" is taken by ${other.shown}`);
    } else {
      loaded.push({ shown, preset, document: read.document });
    }
  }
  if (problems.length > 0) {
    const s = problems.length === 1 ? '' : 's';
    throw new PresetFilesError(
      `GATEHOUSE_PRESETS: ${problems.length} preset file problem${s}:\n${problems.join('\n')}`,
    );
  }
  return loaded;
}

/**
 * The built-in presets plus those of the files, in memory only (tests and tools that run
 * without a database); a server stores them instead (`applyPresetFiles`).
 */
export function presetRegistryFromFiles(patterns: readonly string[], cwd: string): PresetRegistry {
  return PresetRegistry.withBuiltIns(readPresetFiles(patterns, cwd).map((f) => f.preset));
}

/**
 * Applies each file as the next stored version of its key, as the system, when it differs from
 * the newest one; resolves to one line per file. A version refused (something in use would be
 * removed) is a `PresetFilesError` naming the file and every use.
 */
export async function applyPresetFiles(
  services: Services,
  files: readonly PresetFile[],
): Promise<string[]> {
  const done: string[] = [];
  const problems: string[] = [];
  for (const f of files) {
    try {
      const r = await applyPreset(
        { services, caller: { principal: { kind: 'system' }, source: 'system' } },
        { document: f.document, source: 'file' },
      );
      done.push(
        r.unchanged
          ? `${f.shown}: preset ${r.key} version ${r.version} (unchanged)`
          : `${f.shown}: preset ${r.key} stored as version ${r.version}, ${r.orgs.length} org(s) moved`,
      );
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      problems.push(`${f.shown}: ${e.message}`);
    }
  }
  if (problems.length > 0) {
    throw new PresetFilesError(`GATEHOUSE_PRESETS: ${problems.join('\n')}`);
  }
  return done;
}

/** The preset in one file, or undefined after reporting why not. */
export function readPresetFile(
  path: string,
  report: (problem: string) => void,
): { preset: Preset; document: unknown } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    report(fileProblem(err));
    return undefined;
  }
  try {
    return { preset: parsePresetDocument(json), document: json };
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

/**
 * The presets a deployment knows, by key: the five built-ins plus its own (issue 12). A value
 * passed to whoever resolves presets (the domain's services), not a process-global map.
 */
import type { Preset } from './preset.js';
import { PresetError } from './preset-error.js';
import { presets as builtInPresets } from './presets/index.js';

/**
 * Presets by key. Keys are unique: adding one a built-in or another preset already has is a
 * `PresetError`.
 *
 * @example
 * const registry = PresetRegistry.withBuiltIns([parsePresetDocument(json)]);
 * registry.get('docs-app'); // the loaded preset
 * registry.keys; // ['idnow', 'flowcode', 'idv-console', 'idwise', 'identity-platform', 'docs-app']
 */
export class PresetRegistry {
  private readonly byKey = new Map<string, Preset>();

  constructor(presets: Iterable<Preset>) {
    for (const preset of presets) {
      if (this.byKey.has(preset.key)) {
        const other = Object.hasOwn(builtInPresets, preset.key)
          ? 'a built-in preset'
          : 'another preset';
        throw new PresetError(`preset key "${preset.key}" is taken by ${other}`);
      }
      this.byKey.set(preset.key, preset);
    }
  }

  /** The built-in presets (`idnow`, `flowcode`, `idv-console`, `idwise`, `identity-platform`) and `extra`. */
  static withBuiltIns(extra: Iterable<Preset> = []): PresetRegistry {
    return new PresetRegistry([...Object.values(builtInPresets), ...extra]);
  }

  /** The preset with that key, or undefined. */
  get(key: string): Preset | undefined {
    return this.byKey.get(key);
  }

  /** Every key, built-ins first, in the order added. */
  get keys(): readonly string[] {
    return [...this.byKey.keys()];
  }
}

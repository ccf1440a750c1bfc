/** Resolving an org's preset by the key stored on it, among the deployment's presets. */
import type { Preset, PresetRegistry } from '@gatehouse/core';
import { invalid } from '../errors.js';

/** The preset for a key in `presets` (`services.presets`), or an INVALID error naming the known ones. */
export function presetOrThrow(presets: PresetRegistry, key: string): Preset {
  const preset = presets.get(key);
  if (!preset) throw invalid(`unknown preset "${key}"; known: ${presets.keys.join(', ')}`);
  return preset;
}

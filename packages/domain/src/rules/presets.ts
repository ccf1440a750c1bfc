/** Resolving an org's preset by the key stored on it. */
import { getPreset, type Preset } from '@gatehouse/core';
import { invalid } from '../errors.js';

/** The preset for a key, or an INVALID error naming the known ones. */
export function presetOrThrow(key: string): Preset {
  const preset = getPreset(key);
  if (!preset) {
    throw invalid(
      `unknown preset "${key}"; known: idnow, flowcode, idv-console, idwise, identity-platform`,
    );
  }
  return preset;
}

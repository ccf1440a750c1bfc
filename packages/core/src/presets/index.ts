/** The five seed presets, by key. */
import type { Preset } from '../preset.js';
import { flowcodePreset } from './flowcode.js';
import { identityPlatformPreset } from './identity-platform.js';
import { idnowPreset } from './idnow.js';
import { idvConsolePreset } from './idv-console.js';
import { idwisePreset } from './idwise.js';

export { flowcodeCatalog, flowcodePreset } from './flowcode.js';
export {
  identityPlatformCatalog,
  identityPlatformModules,
  identityPlatformPreset,
} from './identity-platform.js';
export { idnowCatalog, idnowPreset } from './idnow.js';
export { idvCapabilities, idvConsoleCatalog, idvConsolePreset } from './idv-console.js';
export { idwiseCatalog, idwiseFeatures, idwisePreset } from './idwise.js';

/** Every built-in preset by key (`idnow`, `flowcode`, `idv-console`, `idwise`, `identity-platform`). */
export const presets: Readonly<Record<string, Preset>> = Object.freeze({
  [idnowPreset.key]: idnowPreset,
  [flowcodePreset.key]: flowcodePreset,
  [idvConsolePreset.key]: idvConsolePreset,
  [idwisePreset.key]: idwisePreset,
  [identityPlatformPreset.key]: identityPlatformPreset,
});

/** A preset by key, or undefined. */
export function getPreset(key: string): Preset | undefined {
  return Object.hasOwn(presets, key) ? presets[key] : undefined;
}

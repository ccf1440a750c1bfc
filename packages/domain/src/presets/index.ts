/** Presets stored and versioned at run time (issue 12): apply, diff, list, show. */
export { applyPreset } from './apply.js';
export type { PresetChangeInput } from './change.js';
export { diffPreset } from './diff.js';
export { listPresets } from './list.js';
export { type ShowPresetInput, showPreset } from './show.js';
export type {
  PresetMoves,
  PresetOrgEffect,
  PresetReport,
  PresetSummary,
  PresetVersionView,
} from './view.js';

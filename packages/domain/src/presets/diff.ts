/** `preset diff`: what applying a document would change, in every org, without changing it. */
import type { Call } from '../call.js';
import { changePreset, type PresetChangeInput } from './change.js';
import type { PresetReport } from './view.js';

/**
 * The report `applyPreset` would give, blockers included (`blocked`), from the very same steps
 * run in a transaction that is rolled back. INVALID for a bad document or bad renames. Instance
 * admin only.
 */
export function diffPreset(call: Call, input: PresetChangeInput): Promise<PresetReport> {
  return changePreset(call, input, false);
}

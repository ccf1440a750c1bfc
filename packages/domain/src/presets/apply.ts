/** `preset apply`: stores a new version of a preset and moves every org of it (issue 12). */
import type { Call } from '../call.js';
import { changePreset, type PresetChangeInput } from './change.js';
import type { PresetReport } from './view.js';

/**
 * Stores `document` as the next version of its key and moves every org of the key onto it in
 * one transaction; a document equal to the newest version changes nothing (`unchanged`).
 * INVALID (with `details.issues`, each with its path) for a bad document or bad renames;
 * CONFLICT for a built-in key, or when something in use would be removed or no longer allowed
 * (`details.report` lists every use, per org). Instance admin only.
 *
 * @example
 * const report = await applyPreset(call, { document: JSON.parse(readFileSync('my-product.json', 'utf8')) });
 * report.version; // 2
 */
export function applyPreset(call: Call, input: PresetChangeInput): Promise<PresetReport> {
  return changePreset(call, input, true);
}

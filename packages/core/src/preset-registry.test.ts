/** Issue 12: the presets a deployment knows, built-ins first, keys unique. */
import { describe, expect, it } from 'vitest';
import { PresetError } from './preset-error.js';
import { parsePresetDocument, presetDocument } from './preset-json.js';
import { PresetRegistry } from './preset-registry.js';
import { presets } from './presets/index.js';

const own = parsePresetDocument({
  ...presetDocument(presets.idnow!),
  key: 'docs-app',
  name: 'Docs app',
});

describe('R2 issue 12: PresetRegistry', () => {
  it('R2 holds the five built-ins and the deployment’s own presets', () => {
    const registry = PresetRegistry.withBuiltIns([own]);
    expect(registry.keys).toEqual([
      'idnow',
      'flowcode',
      'idv-console',
      'idwise',
      'identity-platform',
      'docs-app',
    ]);
    expect(registry.get('docs-app')).toBe(own);
    expect(registry.get('flowcode')).toBe(presets.flowcode);
    expect(registry.get('nope')).toBeUndefined();
    expect(registry.get('constructor')).toBeUndefined();
    expect(PresetRegistry.withBuiltIns().keys).toHaveLength(5);
  });

  it('R2 refuses a key a built-in or another preset already has', () => {
    const clash = parsePresetDocument(presetDocument(presets.idnow!));
    expect(() => PresetRegistry.withBuiltIns([clash])).toThrow(
      new PresetError('preset key "idnow" is taken by a built-in preset'),
    );
    expect(() => new PresetRegistry([own, own])).toThrow(
      'preset key "docs-app" is taken by another preset',
    );
  });
});

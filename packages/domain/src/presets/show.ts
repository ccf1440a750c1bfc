/** `preset show`: one preset's document, at its newest or a given stored version. */
import { getPreset, presetDocument } from '@gatehouse/core';
import type { Call } from '../call.js';
import { principalOrg } from '../context.js';
import { forbidden, notFound } from '../errors.js';
import type { PresetVersionView } from './view.js';

/** Input of `showPreset`. */
export interface ShowPresetInput {
  readonly key: string;
  /** A stored version; absent: the newest. */
  readonly version?: number | undefined;
}

/**
 * The document of a preset (as applied, for a stored one) and its stored versions. NOT_FOUND
 * for an unknown key or version. Instance admin only.
 */
export async function showPreset(call: Call, input: ShowPresetInput): Promise<PresetVersionView> {
  const { services, caller } = call;
  if (principalOrg(caller.principal) !== null) {
    throw forbidden('only the instance admin key can read presets');
  }
  const inMemory = services.presets.get(input.key);
  if (inMemory) {
    if (input.version !== undefined) {
      throw notFound(`preset "${input.key}" version ${input.version} (it is not stored)`);
    }
    return {
      key: input.key,
      source: getPreset(input.key) === inMemory ? 'built-in' : 'memory',
      version: null,
      versions: [],
      document: presetDocument(inMemory),
    };
  }
  const rows = await services.db
    .selectFrom('presets')
    .select(['version', 'applied_at', 'applied_by', 'source', 'document'])
    .where('key', '=', input.key)
    .orderBy('version')
    .execute();
  if (rows.length === 0) throw notFound(`preset "${input.key}"`);
  const row =
    input.version === undefined ? rows.at(-1) : rows.find((r) => r.version === input.version);
  if (!row) throw notFound(`preset "${input.key}" version ${input.version}`);
  return {
    key: input.key,
    source: 'stored',
    version: row.version,
    versions: rows.map((r) => ({
      version: r.version,
      appliedAt: r.applied_at,
      appliedBy: r.applied_by,
      source: r.source,
    })),
    document: row.document,
  };
}

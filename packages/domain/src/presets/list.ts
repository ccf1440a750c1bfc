/** `preset list`: the presets a deployment knows, with their newest version and org counts. */
import { getPreset } from '@gatehouse/core';
import type { Call } from '../call.js';
import { principalOrg } from '../context.js';
import { forbidden } from '../errors.js';
import type { PresetSummary } from './view.js';

/** Built-in, in-memory and stored presets, each with how many organizations use it. Instance admin only. */
export async function listPresets(call: Call): Promise<PresetSummary[]> {
  const { services, caller } = call;
  if (principalOrg(caller.principal) !== null) {
    throw forbidden('only the instance admin key can list presets');
  }
  const db = services.db;
  const counts = new Map(
    (
      await db
        .selectFrom('orgs')
        .select(['preset', (eb) => eb.fn.countAll<string>().as('n')])
        .groupBy('preset')
        .execute()
    ).map((r) => [r.preset, Number(r.n)]),
  );
  const out: PresetSummary[] = services.presets.keys.map((key) => {
    const p = services.presets.get(key)!;
    return {
      key,
      name: p.name,
      description: p.description,
      source: getPreset(key) === p ? 'built-in' : 'memory',
      version: null,
      appliedAt: null,
      orgs: counts.get(key) ?? 0,
    };
  });
  const stored = await db
    .selectFrom('presets')
    .select(['key', 'version', 'applied_at'])
    .distinctOn('key')
    .orderBy('key')
    .orderBy('version', 'desc')
    .execute();
  for (const row of stored) {
    const p = await services.presetStore.resolve(db, row.key, row.version);
    out.push({
      key: row.key,
      name: p.name,
      description: p.description,
      source: 'stored',
      version: row.version,
      appliedAt: row.applied_at,
      orgs: counts.get(row.key) ?? 0,
    });
  }
  return out;
}

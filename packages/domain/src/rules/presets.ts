/**
 * Resolving an org's preset by what its row names (issue 12): the key alone for the built-in
 * presets and those the process is given in memory, the key and a stored version for presets
 * applied at run time (`presets` table, migration 0014). Stored versions are parsed once per
 * process; a row never changes, so a parsed version stays right.
 */
import { type Preset, type PresetRegistry, parsePresetDocument } from '@gatehouse/core';
import { type Database, type DB, sql, type Transaction } from '@gatehouse/db';
import { invalid, notFound } from '../errors.js';

type Q = DB | Transaction<Database>;

/** The preset for a key in `presets` (`services.presets`), or an INVALID error naming the known ones. */
export function presetOrThrow(presets: PresetRegistry, key: string): Preset {
  const preset = presets.get(key);
  if (!preset) throw invalid(`unknown preset "${key}"; known: ${presets.keys.join(', ')}`);
  return preset;
}

/**
 * The presets orgs are resolved by: the registry (built-in and in-memory presets, which have no
 * version) and the stored versions, read on first use through the caller's transaction.
 *
 * @example
 * const preset = await services.presetStore.resolve(trx, org.preset, org.preset_version);
 */
export class PresetStore {
  private readonly parsed = new Map<string, Preset>();
  /** The version a transaction is applying, visible to that transaction only until it commits. */
  private readonly staged = new WeakMap<object, Preset>();

  constructor(
    /** Built-in and in-memory presets. */
    readonly registry: PresetRegistry,
  ) {}

  /**
   * The preset an org row names: `version` null is the registry's preset of `key` (or, inside
   * the transaction applying the first stored version of `key`, that version: orgs made on a
   * file-loaded preset before presets were stored move onto it).
   */
  async resolve(q: Q, key: string, version: number | null): Promise<Preset> {
    const staged = this.staged.get(q);
    if (version === null) {
      const preset = this.registry.get(key);
      if (preset) return preset;
      if (staged?.key === key) return staged;
      return presetOrThrow(this.registry, key);
    }
    if (staged?.key === key && staged.version === version) return staged;
    const id = `${key}@${version}`;
    const hit = this.parsed.get(id);
    if (hit) return hit;
    const row = await q
      .selectFrom('presets')
      .select('document')
      .where('key', '=', key)
      .where('version', '=', version)
      .executeTakeFirst();
    if (!row) throw notFound(`preset "${key}" version ${version}`);
    const preset: Preset = { ...parsePresetDocument(row.document), version };
    this.parsed.set(id, preset);
    return preset;
  }

  /**
   * The preset a new org of `key` gets: the registry's, else the newest stored version, else an
   * INVALID error naming the known keys.
   */
  async latest(q: Q, key: string): Promise<Preset> {
    const inMemory = this.registry.get(key);
    if (inMemory) return inMemory;
    const row = await q
      .selectFrom('presets')
      .select('version')
      .where('key', '=', key)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) {
      const stored = await q.selectFrom('presets').select('key').distinct().execute();
      const known = [...this.registry.keys, ...stored.map((r) => r.key)];
      throw invalid(`unknown preset "${key}"; known: ${known.join(', ')}`);
    }
    return this.resolve(q, key, row.version);
  }

  /** Makes `preset` (a version being applied) what `trx` resolves its key and version to. */
  stage(trx: Transaction<Database>, preset: Preset): void {
    this.staged.set(trx, preset);
  }

  /** Keeps a version once its transaction has committed. */
  remember(preset: Preset): void {
    if (preset.version !== undefined) this.parsed.set(`${preset.key}@${preset.version}`, preset);
  }
}

/**
 * Orders org creation with `preset apply` on a stored key: creating takes the key's lock
 * shared, applying exclusive (transaction-scoped advisory locks), so an org is never created on
 * a version an apply is replacing without being moved by it.
 */
export async function lockPresetKey(
  trx: Transaction<Database>,
  key: string,
  mode: 'shared' | 'exclusive',
): Promise<void> {
  const id = `gatehouse_preset:${key}`;
  if (mode === 'shared')
    await sql`select pg_advisory_xact_lock_shared(hashtext(${id}))`.execute(trx);
  else await sql`select pg_advisory_xact_lock(hashtext(${id}))`.execute(trx);
}

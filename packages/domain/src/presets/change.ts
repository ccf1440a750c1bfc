/**
 * One new version of a stored preset, as one transaction (issue 12): lock the key, validate the
 * document, compare it with the newest stored version, store it, and move every org of the key
 * onto it — each org as its own write in the same transaction (locked in id order, revision
 * bumped, audited, an outbox event, NOTIFY so every process rebuilds that org's engine). Any
 * org with blockers refuses the whole version. `diff` runs the very same steps and rolls back,
 * so what it reports is what `apply` would do.
 */
import {
  getPreset,
  type Preset,
  PresetError,
  parsePresetDocument,
  presetChanges,
} from '@gatehouse/core';
import type { Database, Transaction } from '@gatehouse/db';
import type { Call } from '../call.js';
import { principalId, principalOrg } from '../context.js';
import { conflict, DomainError, forbidden } from '../errors.js';
import { orgWriteIn, type WriteInTransaction } from '../org-write.js';
import { canonicalJson, lockPresetKey } from '../rules/index.js';
import { moveOrgToVersion } from './org-move.js';
import type { PresetOrgEffect, PresetReport } from './view.js';

/** Input of `applyPreset` and `diffPreset`. */
export interface PresetChangeInput {
  /** The preset document (parsed JSON), with `renamed` when it renames. */
  readonly document: unknown;
  /** Where it comes from, stored with the version: `api` (default) or `file` (at start). */
  readonly source?: 'api' | 'file' | undefined;
}

/** Thrown inside an org's write when the org has blockers: that write is abandoned. */
class Blocked extends Error {}
/** Thrown at the end of a `diff` (or a blocked apply) to roll everything back. */
class RollBack extends Error {
  constructor(readonly report: PresetReport) {
    super('rolled back');
  }
}

/** Runs a version change; `commit` false reports and rolls back (`diff`). */
export async function changePreset(
  call: Call,
  input: PresetChangeInput,
  commit: boolean,
): Promise<PresetReport> {
  const { services, caller } = call;
  if (principalOrg(caller.principal) !== null) {
    throw forbidden('only the instance admin key can change presets');
  }
  const next = parseOrInvalid(input.document);
  if (services.presets.get(next.key)) {
    throw conflict(
      `preset "${next.key}" is ${isBuiltIn(next.key) ? 'built in' : 'given to this server in code'} and cannot be replaced; store yours under another key`,
    );
  }
  const renamed = (input.document as { renamed?: Parameters<typeof presetChanges>[2] }).renamed;
  let writes: WriteInTransaction<unknown>[] = [];
  let staged: Preset | null = null;
  try {
    const report = await services.db.transaction().execute(async (trx) => {
      await lockPresetKey(trx, next.key, 'exclusive');
      const latest = await trx
        .selectFrom('presets')
        .select(['version', 'document'])
        .where('key', '=', next.key)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      const before = latest
        ? await services.presetStore.resolve(trx, next.key, latest.version)
        : null;
      const changes = changesOrInvalid(before, next, renamed);
      const version = (latest?.version ?? 0) + 1;
      if (latest && sameDocument(latest.document, input.document)) {
        const none = presetChanges(before, before!);
        return {
          key: next.key,
          fromVersion: latest.version,
          version: latest.version,
          applied: false,
          unchanged: true,
          changes: none,
          orgs: [],
          blocked: false,
        } satisfies PresetReport;
      }
      const preset: Preset = { ...next, version };
      await trx
        .insertInto('presets')
        .values({
          key: next.key,
          version,
          document: JSON.stringify(input.document),
          source: input.source ?? 'api',
          applied_by: principalId(caller.principal),
          changes: JSON.stringify(changes),
        })
        .execute();
      services.presetStore.stage(trx, preset);
      staged = preset;
      const { orgs, done } = await moveEveryOrg(call, trx, preset, changes);
      writes = done;
      const report: PresetReport = {
        key: next.key,
        fromVersion: latest?.version ?? null,
        version,
        applied: commit,
        unchanged: false,
        changes,
        orgs,
        blocked: orgs.some((o) => o.blockers.length > 0),
      };
      if (!commit || report.blocked) throw new RollBack({ ...report, applied: false });
      return report;
    });
    if (report.applied && staged) {
      services.presetStore.remember(staged);
      for (const w of writes) w.afterCommit();
    }
    return report;
  } catch (e) {
    if (!(e instanceof RollBack)) throw e;
    if (commit) throw refused(e.report);
    return e.report;
  }
}

/**
 * Every org on the key (and those on an in-memory preset of the same key, from before presets
 * were stored), locked in id order, each moved as its own write. Orgs created meanwhile by a
 * write to one of them (seed 004's org of one's own) are picked up by asking again.
 */
async function moveEveryOrg(
  call: Call,
  trx: Transaction<Database>,
  preset: Preset,
  changes: ReturnType<typeof presetChanges>,
): Promise<{ orgs: PresetOrgEffect[]; done: WriteInTransaction<unknown>[] }> {
  const orgs: PresetOrgEffect[] = [];
  const done: WriteInTransaction<unknown>[] = [];
  const seen = new Set<string>();
  for (;;) {
    const rows = await trx
      .selectFrom('orgs')
      .select(['id', 'slug', 'name', 'preset_version'])
      .where('preset', '=', preset.key)
      .where((eb) =>
        eb.or([eb('preset_version', 'is', null), eb('preset_version', '<>', preset.version!)]),
      )
      .orderBy('id')
      .forUpdate()
      .execute();
    const fresh = rows.filter((r) => !seen.has(r.id));
    if (fresh.length === 0) return { orgs, done };
    for (const org of fresh) {
      seen.add(org.id);
      let effect: PresetOrgEffect = {
        orgId: org.id,
        slug: org.slug,
        name: org.name,
        fromVersion: org.preset_version,
        moved: { assignments: 0, invitations: 0, customRoles: 0, scopes: 0 },
        blockers: [],
      };
      try {
        const w = await orgWriteIn(
          trx,
          { ...call, orgId: org.id },
          async (w) => {
            const move = await moveOrgToVersion(w, {
              preset,
              changes,
              store: call.services.presetStore,
            });
            effect = { ...effect, ...move };
            if (move.blockers.length > 0) throw new Blocked();
            w.audit({
              action: 'PresetVersionApplied',
              entityType: 'org',
              entityId: org.id,
              before: { preset: preset.key, version: org.preset_version },
              after: { preset: preset.key, version: preset.version, moved: move.moved },
            });
            w.emit('org.preset_version_applied', {
              orgId: org.id,
              preset: preset.key,
              fromVersion: org.preset_version,
              version: preset.version,
            });
          },
          { modelMove: true },
        );
        done.push(w);
      } catch (e) {
        if (!(e instanceof Blocked)) {
          if (!(e instanceof DomainError)) throw e;
          effect = { ...effect, blockers: [...effect.blockers, e.message] };
        }
      }
      orgs.push(effect);
    }
  }
}

function parseOrInvalid(document: unknown): Preset {
  try {
    return parsePresetDocument(document);
  } catch (e) {
    if (e instanceof PresetError) throw presetInvalid(e);
    throw e;
  }
}

function changesOrInvalid(
  before: Preset | null,
  after: Preset,
  renamed: Parameters<typeof presetChanges>[2],
) {
  try {
    return presetChanges(before, after, renamed ?? {});
  } catch (e) {
    if (e instanceof PresetError) throw presetInvalid(e);
    throw e;
  }
}

/** INVALID with every problem and its path (`details.issues`). */
function presetInvalid(e: PresetError): DomainError {
  return new DomainError('INVALID', e.message, { details: { issues: e.issues } });
}

/** CONFLICT naming each blocker (the first 20 in the message; all in `details.report`). */
function refused(report: PresetReport): DomainError {
  const lines = report.orgs.flatMap((o) => o.blockers.map((b) => `  ${o.slug} (${o.orgId}): ${b}`));
  const shown = lines.slice(0, 20).join('\n');
  const more =
    lines.length > 20 ? `\n  … and ${lines.length - 20} more (preset diff shows all)` : '';
  return new DomainError(
    'CONFLICT',
    `preset "${report.key}" version ${report.version} is refused: ${lines.length} use(s) of what it removes or no longer allows (add "renamed" to migrate them, or change them first):\n${shown}${more}`,
    { details: { report } },
  );
}

function sameDocument(stored: unknown, given: unknown): boolean {
  const strip = (d: unknown) => {
    const { $schema: _s, renamed: _r, ...rest } = d as Record<string, unknown>;
    return canonicalJson(rest);
  };
  return strip(stored) === strip(given);
}

function isBuiltIn(key: string): boolean {
  return getPreset(key) !== undefined;
}

/**
 * `gatehouse preset apply|diff|list|show` (issue 12): a product's own model applied to a running
 * server, and what each version changes, in words for people (or JSON with `--json`).
 */
import { readFileSync } from 'node:fs';
import type { PresetReport, PresetSummary } from '@gatehouse/domain';

/** Reads a preset document (JSON) from a file, or throws an Error saying why not. */
export function readPresetFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path} is not JSON: ${(e as Error).message}`);
  }
}

/** A report as lines: the changes, then each org with what moves and what blocks. */
export function formatPresetReport(r: PresetReport): string {
  if (r.unchanged) return `preset ${r.key}: unchanged (version ${r.version} is this document)`;
  const head = r.applied
    ? `preset ${r.key}: applied version ${r.version}${r.fromVersion ? ` (was ${r.fromVersion})` : ''}`
    : r.blocked
      ? `preset ${r.key}: version ${r.version} would be REFUSED`
      : `preset ${r.key}: version ${r.version} can be applied${r.fromVersion ? ` (now ${r.fromVersion})` : ''}`;
  const lines = [head];
  const kinds = [
    ['permissions', r.changes.permissions],
    ['roles', r.changes.roles],
    ['scope kinds', r.changes.scopeKinds],
  ] as const;
  for (const [name, c] of kinds) {
    if (c.added.length) lines.push(`  + ${name}: ${c.added.join(', ')}`);
    if (c.removed.length) lines.push(`  - ${name}: ${c.removed.join(', ')}`);
    const renamed = Object.entries(c.renamed).map(([a, b]) => `${a} → ${b}`);
    if (renamed.length) lines.push(`  ~ ${name} renamed: ${renamed.join(', ')}`);
    if ('changed' in c && c.changed.length)
      lines.push(`  ~ ${name} changed: ${c.changed.join(', ')}`);
  }
  if (r.changes.fields.length) lines.push(`  ~ fields: ${r.changes.fields.join(', ')}`);
  lines.push(`  organizations: ${r.orgs.length}`);
  for (const o of r.orgs) {
    const m = o.moved;
    const moved = [
      m.assignments && `${m.assignments} assignment(s)`,
      m.invitations && `${m.invitations} invitation(s)`,
      m.customRoles && `${m.customRoles} custom role(s)`,
      m.scopes && `${m.scopes} scope(s)`,
    ].filter(Boolean);
    lines.push(
      `    ${o.slug} (${o.orgId}) from version ${o.fromVersion ?? '-'}${moved.length ? `: moves ${moved.join(', ')}` : ''}`,
    );
    for (const b of o.blockers) lines.push(`      ✗ ${b}`);
  }
  return lines.join('\n');
}

/** `preset list` as lines. */
export function formatPresetList(items: readonly Omit<PresetSummary, 'appliedAt'>[]): string {
  return items
    .map(
      (p) =>
        `${p.key}  ${p.source}${p.version === null ? '' : ` v${p.version}`}  ${p.orgs} org(s)  ${p.name}`,
    )
    .join('\n');
}

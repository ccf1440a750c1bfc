/**
 * `gatehouse domain claim|verify|list` (I3): what to put in DNS, and where each domain stands, in
 * words for people (or JSON with `--json`).
 */
import type { DomainVerification, DomainView } from '@gatehouse/domain';

/** What `domain claim` prints: the TXT record to create, then how to verify. */
export function formatClaim(d: DomainView): string {
  return [
    `claimed ${d.domain} (${d.id}) for ${d.orgId}: pending verification`,
    'create this DNS record, then run `gatehouse domain verify`:',
    `  ${d.record.name}  TXT  "${d.record.value}"`,
    `  gatehouse domain verify --org ${d.orgId} --domain ${d.domain}`,
  ].join('\n');
}

/** What `domain verify` prints. */
export function formatVerification(v: DomainVerification): string {
  const d = v.domain;
  if (v.verified) {
    return `verified ${d.domain} (${d.id})${d.nextCheckAt ? `; next re-check ${d.nextCheckAt}` : ''}`;
  }
  return `NOT verified ${d.domain} (${d.id}, ${d.status}): ${v.error} [${v.reason}]`;
}

/** One line per domain for `domain list`. */
export function formatDomainList(items: readonly DomainView[]): string {
  if (items.length === 0) return '(no domains)';
  return items
    .map((d) => {
      const extra =
        d.status === 'verified'
          ? `verified ${d.verifiedAt}`
          : `TXT ${d.record.name} "${d.record.value}"${d.lastError ? ` — last error: ${d.lastError}` : ''}`;
      return `${d.id}  ${d.domain}  ${d.status}  ${extra}`;
    })
    .join('\n');
}

/** The id of the domain `arg` names: a `dom_…` id as is, else the listed domain of that name. */
export function domainIdOf(items: readonly DomainView[], arg: string): string | null {
  if (arg.startsWith('dom_')) return arg;
  const name = arg.trim().toLowerCase().replace(/\.$/, '');
  return items.find((d) => d.domain === name)?.id ?? null;
}

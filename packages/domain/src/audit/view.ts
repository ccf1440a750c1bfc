/** An audit entry as the API shows it (A1–A3). */
import type { AuditRow } from '@gatehouse/db';

/** An audit entry as the API shows it. */
export interface AuditEntryView {
  readonly seq: number;
  readonly id: string;
  readonly at: string;
  readonly actorId: string;
  readonly actorLabel: string | null;
  readonly onBehalfOf: string | null;
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly scopeId: string | null;
  readonly before: unknown;
  readonly after: unknown;
  readonly source: string;
  readonly requestId: string | null;
  readonly revision: number;
  readonly prevHash: string;
  readonly hash: string;
}

/** A stored state (canonical JSON text) as its value. */
const parseState = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** Maps a row to its view. */
export function auditView(r: AuditRow): AuditEntryView {
  return {
    seq: Number(r.seq),
    id: r.id,
    at: new Date(r.at).toISOString(),
    actorId: r.actor_id,
    actorLabel: r.actor_label,
    onBehalfOf: r.on_behalf_of,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    scopeId: r.scope_id,
    before: parseState(r.before),
    after: parseState(r.after),
    source: r.source,
    requestId: r.request_id,
    revision: r.revision,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

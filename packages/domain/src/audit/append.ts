/**
 * The audit log (A1, A4): entries appended inside the write's transaction, each carrying the
 * hash of the previous one, so a changed or deleted row breaks the chain.
 */
import { createHash } from 'node:crypto';
import { type Database, newId, type Transaction } from '@gatehouse/db';
import { invalid } from '../errors.js';
import { CanonicalJsonError, canonicalJson } from '../rules/index.js';

/** What a use case records about one change. */
export interface AuditInput {
  /** `Created`, `Updated`, `Deleted`, or a specific verb (`RoleAssigned`, `Deactivated`). */
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly scopeId?: string | null | undefined;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Who and where, stamped on every entry of one write. */
export interface AuditStamp {
  readonly orgId: string;
  readonly actorId: string;
  readonly actorLabel: string | null;
  readonly onBehalfOf: string | null;
  readonly source: string;
  readonly requestId: string | null;
  readonly revision: number;
}

/** The genesis hash: the `prev_hash` of an org's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * How entries are hashed now (`audit_log.hash_version`): 2 hashes `before` / `after` as the
 * canonical JSON text stored; 1 (entries written before migration 0011) re-parsed them.
 */
export const AUDIT_HASH_VERSION = 2;

/**
 * The fields the hash covers, in a fixed order, as stored. Version 2 entries hash their stored
 * `before` / `after` text exactly; version 1 entries (stored as jsonb then) hash the parsed value
 * with sorted keys, as they were written.
 */
export function entryHash(prevHash: string, e: Record<string, unknown>): string {
  const legacy = Number(e.hash_version ?? 1) === 1;
  const state = (v: unknown) => (legacy ? legacyCanonical(v) : ((v as string | null) ?? null));
  const canonical = JSON.stringify([
    e.org_id,
    Number(e.seq),
    e.id,
    new Date(e.at as string | Date).toISOString(),
    e.actor_id,
    e.actor_label ?? null,
    e.on_behalf_of ?? null,
    e.action,
    e.entity_type,
    e.entity_id,
    e.scope_id ?? null,
    state(e.before),
    state(e.after),
    e.source,
    e.request_id ?? null,
    Number(e.revision),
  ]);
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
}

/** Version 1: JSON with sorted keys of the parsed value (a jsonb round trip reordered keys). */
function legacyCanonical(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const parsed = typeof v === 'string' ? JSON.parse(v) : v;
  return JSON.stringify(sortKeys(parsed));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** The stored text of a state: its canonical JSON, or null for none (INVALID if it has none). */
export function auditStateText(field: string, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  try {
    return canonicalJson(v) ?? null;
  } catch (e) {
    if (e instanceof CanonicalJsonError) throw invalid(`${field}: ${e.message}`);
    throw e;
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** True for text PostgreSQL stores unchanged: no NUL, no unpaired surrogate. */
export function isStorableText(v: string): boolean {
  return !v.includes('\u0000') && v.replace(LONE_SURROGATE, '') === v;
}

/**
 * A text field as PostgreSQL will store it, so the hash covers what is stored: a lone surrogate
 * becomes U+FFFD (as the driver's UTF-8 encoding makes it); NUL, which `text` cannot hold, is
 * INVALID.
 */
function storedText<T extends string | null>(field: string, v: T): T {
  if (v === null) return v;
  if (v.includes('\u0000')) throw invalid(`audit ${field} cannot contain NUL characters`);
  return v.replace(LONE_SURROGATE, '\uFFFD') as T;
}

/** Where an org's audit chain stands: its last sequence number and the hash after it. */
export interface AuditHead {
  readonly seq: number;
  /** The newest entry's hash; null when no entry is kept (then see `auditChainHash`). */
  readonly hash: string | null;
}

/** An audit row as inserted, with its place in the chain. */
export type AuditRow = ReturnType<typeof auditRows>[number];

/**
 * The rows that append `entries` to an org's chain after `head` (whose hash is `prevHash`),
 * hashed in order: pure, so a write can read the head with the statement that locks its org
 * and insert the rows with the statements that end it.
 */
export function auditRows(
  stamp: AuditStamp,
  entries: readonly AuditInput[],
  head: { readonly seq: number; readonly prevHash: string },
) {
  let seq = head.seq;
  let prev = head.prevHash;
  const at = new Date();
  return entries.map((e) => {
    seq += 1;
    const row = {
      org_id: stamp.orgId,
      seq,
      id: newId('audit'),
      at,
      actor_id: storedText('actor', stamp.actorId),
      actor_label: storedText('actor label', stamp.actorLabel),
      on_behalf_of: storedText('on behalf of', stamp.onBehalfOf),
      action: storedText('action', e.action),
      entity_type: storedText('entity type', e.entityType),
      entity_id: storedText('entity id', e.entityId),
      scope_id: storedText('scope id', e.scopeId ?? null),
      before: auditStateText('before', e.before),
      after: auditStateText('after', e.after),
      source: storedText('source', stamp.source),
      request_id: storedText('request id', stamp.requestId),
      revision: stamp.revision,
      hash_version: AUDIT_HASH_VERSION,
      prev_hash: prev,
    };
    const hash = entryHash(prev, row);
    prev = hash;
    return { ...row, hash };
  });
}

/**
 * The hash a new entry chains from: the newest entry's, or after retention pruned every entry
 * the signed checkpoint's, or the genesis hash for an org that never audited.
 */
export async function auditChainHash(
  trx: Transaction<Database>,
  orgId: string,
  head: AuditHead,
): Promise<string> {
  if (head.hash !== null) return head.hash;
  if (head.seq === 0) return GENESIS_HASH;
  return (await checkpointHash(trx, orgId)) ?? GENESIS_HASH;
}

/** The hash the newest retention checkpoint left (the last pruned entry's), if any. */
async function checkpointHash(trx: Transaction<Database>, orgId: string): Promise<string | null> {
  const cp = await trx
    .selectFrom('audit_checkpoints')
    .select('hash')
    .where('org_id', '=', orgId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return cp?.hash ?? null;
}

/**
 * The statement that locks an org for a write also reads what the write needs at its end: the
 * audit chain's head (kept on the org row, migration 0021, so it is read from the row version
 * the lock was taken on), the caller's label for audit entries and the database clock (for the
 * engine's journal catch-up). One round trip instead of four.
 */
import { type Database, sql, type Transaction } from '@gatehouse/db';
import type { AuditHead } from './audit/index.js';
import type { Caller } from './context.js';

/** An org as a write sees it under its row lock. */
export interface OrgHead {
  /** The revision the write commits as (bumped) or the current one (event writes). */
  readonly revision: number;
  readonly preset: string;
  readonly presetVersion: number | null;
  readonly audit: AuditHead;
  /** How audit entries name the caller (an API client's, SCIM token's or SSO connection's name). */
  readonly actorLabel: string | null;
  /** The database clock at the start of the transaction, ms since the epoch. */
  readonly ms: number;
}

/**
 * Locks the org row: with `bump`, moves its revision on by one (a write of what engines read),
 * else `FOR UPDATE` (an event write). Undefined when the org does not exist.
 */
export async function lockOrgHead(
  trx: Transaction<Database>,
  caller: Caller,
  orgId: string,
  bump: boolean,
): Promise<OrgHead | undefined> {
  const extra = [
    'audit_seq',
    'audit_hash',
    callerNameSql(caller).as('caller_name'),
    sql<number>`(extract(epoch from now()) * 1000)::float8`.as('ms'),
  ] as const;
  const row = bump
    ? await trx
        .updateTable('orgs')
        .set((eb) => ({ revision: eb('revision', '+', 1), updated_at: new Date() }))
        .where('id', '=', orgId)
        .returning(['revision', 'preset', 'preset_version', ...extra])
        .executeTakeFirst()
    : await trx
        .selectFrom('orgs')
        .select(['revision', 'preset', 'preset_version', ...extra])
        .where('id', '=', orgId)
        .forUpdate()
        .executeTakeFirst();
  if (!row) return undefined;
  return {
    revision: row.revision,
    preset: row.preset,
    presetVersion: row.preset_version,
    audit: { seq: Number(row.audit_seq), hash: row.audit_hash },
    actorLabel: callerLabel(caller, row.caller_name),
    ms: Number(row.ms),
  };
}

/**
 * How audit entries name `caller`, read on its own: for a write batched behind another caller's
 * lock (issue 15 group commit). No statement for callers without a credential name.
 */
export async function readActorLabel(
  trx: Transaction<Database>,
  caller: Caller,
): Promise<string | null> {
  const kind = caller.principal.kind;
  if (kind !== 'scim' && kind !== 'sso' && kind !== 'client') return callerLabel(caller, null);
  const row = await trx
    .selectNoFrom(callerNameSql(caller).as('caller_name'))
    .executeTakeFirstOrThrow();
  return callerLabel(caller, row.caller_name);
}

/** The name of the caller's credential, read in the locking statement (null when it has none). */
function callerNameSql(caller: Caller) {
  const p = caller.principal;
  if (p.kind === 'scim') {
    return sql<
      string | null
    >`(select name from scim_tokens where org_id = ${p.orgId} and id = ${p.tokenId})`;
  }
  if (p.kind === 'sso') {
    return sql<
      string | null
    >`(select name from sso_connections where org_id = ${p.orgId} and id = ${p.connectionId})`;
  }
  if (p.kind === 'client') {
    return sql<string | null>`(select name from api_clients where id = ${p.clientId})`;
  }
  return sql<string | null>`null::text`;
}

/** How audit entries name the caller: `SCIM: <token>`, `SSO: <connection>`, a client's name. */
function callerLabel(caller: Caller, name: string | null): string | null {
  const kind = caller.principal.kind;
  if (kind === 'scim') return name ? `SCIM: ${name}` : 'SCIM';
  if (kind === 'sso') return name ? `SSO: ${name}` : 'SSO';
  if (kind === 'client') return name;
  return null;
}

/** A5: product events a customer records into the org's audit log. */
import type { OrgCall } from '../call.js';
import { invalid } from '../errors.js';
import { orgEventWrite } from '../org-write.js';
import { auditStateText, isStorableText } from './append.js';
import { type AuditEntryView, auditView } from './view.js';

/** Entity types Gatehouse writes itself: a product cannot record events about them (A3). */
export const RESERVED_ENTITY_TYPES: ReadonlySet<string> = new Set([
  'org',
  'scope',
  'user',
  'member',
  'group',
  'assignment',
  'role',
  'api_client',
  'invitation',
  'scim_token',
  'sso_connection',
  'domain',
  'domain_policy',
  'webhook',
  'audit',
]);

/** An event of the integrating product (A3). */
export interface ProductEventInput {
  /** What happened, as the product names it: `Flow Created`, `Updated`, `Exported`. */
  readonly action: string;
  /** The product's entity type (`Flow`, `Flow Template`); not one of Gatehouse's own. */
  readonly entityType: string;
  readonly entityId: string;
  /** Where it happened; default the org root. The caller needs `audit.write` there. */
  readonly scopeId?: string | undefined;
  readonly before?: unknown;
  readonly after?: unknown;
}

const MAX_STATE_BYTES = 64 * 1024;

/**
 * A3: appends a product event to the org's log, in the same hash chain as Gatehouse's own
 * entries (`audit.write` at the scope). It changes no access, so the org revision does not move;
 * the entry records the revision current when it was written.
 *
 * @example
 * await recordAuditEvent(s, caller, orgId, { action: 'Flow Created', entityType: 'Flow', entityId: 'flow_9', scopeId: wsId, after: { name: 'Onboarding' } });
 */
export async function recordAuditEvent(
  call: OrgCall,
  input: ProductEventInput,
): Promise<AuditEntryView> {
  const { orgId, services: s } = call;
  for (const [field, v] of [
    ['action', input.action],
    ['entityType', input.entityType],
    ['entityId', input.entityId],
  ] as const) {
    if (!v.trim() || v.length > 200) throw invalid(`${field} must be 1–200 characters`);
    if (!isStorableText(v)) {
      throw invalid(`${field} must be text without NUL characters or unpaired surrogates`);
    }
  }
  if (RESERVED_ENTITY_TYPES.has(input.entityType)) {
    throw invalid(
      `entity type "${input.entityType}" is Gatehouse's own; record product events under the product's entity types`,
    );
  }
  // Any JSON value is kept exactly: its canonical text is what is stored and hashed.
  for (const [field, v] of [
    ['before', input.before],
    ['after', input.after],
  ] as const) {
    const text = auditStateText(field, v);
    if (text !== null && Buffer.byteLength(text) > MAX_STATE_BYTES) {
      throw invalid(`${field} must be at most ${MAX_STATE_BYTES} bytes of JSON`);
    }
  }
  const scopeId = input.scopeId ?? orgId;
  // Ordered with every other write's entries by the org lock; the revision does not move.
  const { audited } = await orgEventWrite(call, async (w) => {
    w.authorize('audit.write', scopeId);
    w.audit({
      action: input.action.trim(),
      entityType: input.entityType.trim(),
      entityId: input.entityId,
      scopeId,
      before: input.before,
      after: input.after,
    });
  });
  const row = await s.db
    .selectFrom('audit_log')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('seq', '=', audited[0]!.seq)
    .executeTakeFirstOrThrow();
  return auditView(row);
}

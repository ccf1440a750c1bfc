/** I1: remove a connection (its mappings, identities, attempts and codes go with it). */
import type { OrgCall } from '../call.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import { authorizeConnectionAdmin, loadConnection } from './connection-view.js';

/**
 * I1: deletes a connection. Members it provisioned stay members; sessions it issued stay until
 * they end (end them with `sessions.revoke`, or deactivate the member).
 */
export async function deleteSsoConnection(
  call: OrgCall,
  input: { connectionId: string },
): Promise<WriteResult<{ connectionId: string }>> {
  return orgWrite(call, async (w) => {
    authorizeConnectionAdmin(w);
    const cur = await loadConnection(w.trx, w.orgId, input.connectionId);
    await w.trx
      .deleteFrom('sso_connections')
      .where('org_id', '=', w.orgId)
      .where('id', '=', cur.id)
      .execute();
    w.audit({
      action: 'Deleted',
      entityType: 'sso_connection',
      entityId: cur.id,
      scopeId: w.orgId,
      before: {
        name: cur.name,
        protocol: cur.protocol,
        issuer: cur.issuer,
        clientId: cur.client_id,
      },
    });
    w.emit('sso.connection.deleted', { connectionId: cur.id });
    return { connectionId: cur.id };
  });
}

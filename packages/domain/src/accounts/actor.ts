/** Who asked, in words a stored record keeps after the actor is gone (`password_resets.requested_by`). */
import type { OrgWrite } from '../org-write.js';

/**
 * The write's caller described: `user usr_… (ana@acme.test)`, `client cli_… (backend)`,
 * `instance admin`, …, with ` for usr_…` when a client acts for a user.
 */
export async function describeActor(w: OrgWrite): Promise<string> {
  const p = w.caller.principal;
  let who: string;
  switch (p.kind) {
    case 'user': {
      const u = await w.trx
        .selectFrom('users')
        .select('email')
        .where('id', '=', p.userId)
        .executeTakeFirst();
      who = `user ${p.userId}${u ? ` (${u.email})` : ''}`;
      break;
    }
    case 'client': {
      const c = await w.trx
        .selectFrom('api_clients')
        .select('name')
        .where('org_id', '=', p.orgId)
        .where('id', '=', p.clientId)
        .executeTakeFirst();
      who = `client ${p.clientId}${c ? ` (${c.name})` : ''}`;
      break;
    }
    case 'instance_admin':
      who = 'instance admin';
      break;
    case 'system':
      who = 'system';
      break;
    case 'scim':
      who = `scim ${p.tokenId}`;
      break;
    case 'sso':
      who = `sso ${p.connectionId}`;
      break;
  }
  return w.caller.onBehalfOf ? `${who} for ${w.caller.onBehalfOf}` : who;
}

/**
 * I2 G3: per connection, an IdP group (a value of the connection's groups claim) → a Gatehouse
 * group, whose roles then hold wherever the group holds them. The group is shared with the SCIM
 * directory: without a `groupId`, a group whose external id or name (case-insensitively) is the
 * IdP group's is taken, else an ordinary group of that name is made. Sign-ins apply the claim
 * (./sign-in.ts): added to mapped groups the claim lists, removed from those it no longer does.
 */
import { newId, sql } from '@gatehouse/db';
import type { OrgCall } from '../call.js';
import { invalid, notFound } from '../errors.js';
import { authorizeGroup, authorizeGroupRoles, loadGroup } from '../groups/index.js';
import { orgWrite, type WriteResult } from '../org-write.js';
import {
  authorizeConnectionAdmin,
  loadConnection,
  type SsoGroupMappingView,
} from './connection-view.js';

const checkIdpGroup = (g: string): string => {
  const v = g.trim();
  if (!v || v.length > 500) throw invalid('idpGroup must be 1 to 500 characters');
  return v;
};

/**
 * Maps an IdP group to a Gatehouse group (replacing any mapping of that IdP group on the
 * connection). Authorized as connection changes are, and as adding members to the group is:
 * the caller must be able to give every role the group holds, where it holds it (R6, R8), since
 * each sign-in will.
 */
export async function setSsoGroupMapping(
  call: OrgCall,
  input: { connectionId: string; idpGroup: string; groupId?: string | undefined },
): Promise<WriteResult<SsoGroupMappingView & { readonly createdGroup: boolean }>> {
  return orgWrite(call, async (w) => {
    authorizeConnectionAdmin(w);
    const conn = await loadConnection(w.trx, w.orgId, input.connectionId);
    if (claimless(conn.claims)) {
      throw invalid(`connection ${conn.id} reads no groups claim: set claims.groups first`);
    }
    const idpGroup = checkIdpGroup(input.idpGroup);
    let groupId = input.groupId;
    let createdGroup = false;
    if (!groupId) {
      const found = await w.trx
        .selectFrom('groups')
        .select('id')
        .where('org_id', '=', w.orgId)
        .where((eb) =>
          eb.or([
            eb('external_id', '=', idpGroup),
            eb(sql`lower(name)`, '=', idpGroup.toLowerCase()),
          ]),
        )
        .orderBy(sql`external_id = ${idpGroup}`, 'desc')
        .orderBy('id')
        .executeTakeFirst();
      groupId = found?.id;
    }
    if (groupId) {
      const g = await loadGroup(w, groupId);
      authorizeGroup(w, g);
      await authorizeGroupRoles(w, g.id);
    } else {
      w.authorize('groups.manage', w.orgId);
      groupId = newId('group');
      createdGroup = true;
      await w.trx
        .insertInto('groups')
        .values({
          org_id: w.orgId,
          id: groupId,
          name: idpGroup,
          description: `Mapped from the IdP group "${idpGroup}" (SSO connection ${conn.name})`,
          avatar_url: null,
          limited_to: null,
          external_id: null,
          updated_at: new Date(),
        })
        .execute();
      w.audit({
        action: 'Created',
        entityType: 'group',
        entityId: groupId,
        scopeId: w.orgId,
        after: { name: idpGroup, source: 'sso', connectionId: conn.id },
      });
      w.emit('group.created', { groupId, name: idpGroup, source: 'sso' });
    }
    await w.trx
      .insertInto('sso_group_mappings')
      .values({ org_id: w.orgId, connection_id: conn.id, idp_group: idpGroup, group_id: groupId })
      .onConflict((oc) =>
        oc.columns(['org_id', 'connection_id', 'idp_group']).doUpdateSet({ group_id: groupId }),
      )
      .execute();
    w.audit({
      action: 'Updated',
      entityType: 'sso_connection',
      entityId: conn.id,
      scopeId: w.orgId,
      after: { groupMapping: { idpGroup, groupId } },
    });
    w.emit('sso.group_mapping.set', { connectionId: conn.id, idpGroup, groupId });
    return { idpGroup, groupId, createdGroup };
  });
}

/** Removes a mapping; members keep the group until their next sign-in or an admin's change. */
export async function removeSsoGroupMapping(
  call: OrgCall,
  input: { connectionId: string; idpGroup: string },
): Promise<WriteResult<{ removed: boolean }>> {
  return orgWrite(call, async (w) => {
    authorizeConnectionAdmin(w);
    const conn = await loadConnection(w.trx, w.orgId, input.connectionId);
    const gone = await w.trx
      .deleteFrom('sso_group_mappings')
      .where('org_id', '=', w.orgId)
      .where('connection_id', '=', conn.id)
      .where('idp_group', '=', input.idpGroup)
      .returning('group_id')
      .executeTakeFirst();
    if (!gone) throw notFound(`mapping of IdP group "${input.idpGroup}"`);
    w.audit({
      action: 'Updated',
      entityType: 'sso_connection',
      entityId: conn.id,
      scopeId: w.orgId,
      before: { groupMapping: { idpGroup: input.idpGroup, groupId: gone.group_id } },
    });
    w.emit('sso.group_mapping.removed', { connectionId: conn.id, idpGroup: input.idpGroup });
    return { removed: true };
  });
}

function claimless(claims: unknown): boolean {
  return (claims as { groups?: string | null }).groups === null;
}

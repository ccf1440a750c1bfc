/** R1: the roles of an org (preset and custom). */
import type { OrgCall } from '../call.js';
import { authorizeRead } from '../org-read.js';
import { type RoleView, roleView } from './view.js';

/** R3: built-in and custom roles of the org. */
export async function listRoles(call: OrgCall): Promise<RoleView[]> {
  const { orgId } = call;
  const engine = await authorizeRead(call, 'roles.read', orgId);
  return engine.snapshot.roles.map((r) => roleView({ engine }, r));
}

/** R1: the roles of an org (preset and custom). */
import type { Caller } from '../context.js';
import { authorizeRead } from '../org-read.js';
import type { Services } from '../services.js';
import { type RoleView, roleView } from './view.js';

/** R3: built-in and custom roles of the org. */
export async function listRoles(s: Services, caller: Caller, orgId: string): Promise<RoleView[]> {
  const engine = await authorizeRead(s, caller, orgId, 'roles.read', orgId);
  return engine.snapshot.roles.map((r) => roleView({ engine }, r));
}

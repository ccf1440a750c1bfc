/**
 * Credentials that stand above every member: a SCIM directory deactivates, re-emails and
 * regroups anyone; an SSO connection signs in as any member whose email its IdP vouches for and
 * provisions newcomers. Only an actor holding, at the root, every permission any role of the org
 * carries may create, change or remove one (R6: nobody hands on more than they hold).
 */
import { expandPatterns } from '@gatehouse/core';
import type { OrgWrite } from '../org-write.js';

/** FORBIDDEN unless every acting subject holds `permission` and everything any role carries. */
export function authorizeAboveEveryRole(w: OrgWrite, permission: string): void {
  w.authorize(permission, w.orgId);
  const perms = w.engine.snapshot.permissions;
  const all = new Set<string>();
  for (const r of w.engine.snapshot.roles) {
    for (const name of expandPatterns(perms, r.permissions).names) all.add(name);
  }
  w.authorizeHolding(all, w.orgId);
}

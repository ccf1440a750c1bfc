/** A SCIM token as the API shows it, and who may manage an org's directory tokens. */
import type { ScimTokenRow } from '@gatehouse/db';
import type { OrgWrite } from '../org-write.js';
import { authorizeAboveEveryRole, type CredentialView, credentialView } from '../rules/index.js';

/** A SCIM token as the API shows it (never the secret). */
export interface ScimTokenView extends CredentialView {
  readonly orgId: string;
}

/** A newly issued token: `token` is shown this once and never stored. */
export interface IssuedScimToken {
  readonly scimToken: ScimTokenView;
  readonly token: string;
}

/**
 * `scim.manage` at the root, and more: a SCIM directory deactivates, re-emails and regroups any
 * member, so its token stands above every role of the org. Only an actor holding, at the root,
 * every permission any role of the org carries may create, rotate or revoke one.
 */
export function authorizeDirectoryAdmin(w: OrgWrite): void {
  authorizeAboveEveryRole(w, 'scim.manage');
}

/** A SCIM token row as the API shows it. */
export function scimTokenView(r: ScimTokenRow): ScimTokenView {
  return { ...credentialView(r), orgId: r.org_id };
}

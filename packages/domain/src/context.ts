/**
 * Who is calling, and from where. Every use case takes a `Caller`; the audit entry names the
 * actor, who they act for, the source and the request id.
 */

/** Where a change came from (A1). */
export type Source = 'api' | 'scim' | 'sso' | 'console' | 'cli' | 'system';

/** The authenticated principal. */
export type Principal =
  /** The instance admin key: creates orgs and their first credentials; passes every check. */
  | { readonly kind: 'instance_admin' }
  /** An org API client: a subject with its own roles (K1). */
  | { readonly kind: 'client'; readonly orgId: string; readonly clientId: string }
  /** The system itself (seeding, migrations). */
  | { readonly kind: 'system' }
  /**
   * An org's SCIM directory (S4), authorized by its token alone: like the system, but only
   * within its own org. Audited with source `scim` and the token id as actor.
   */
  | { readonly kind: 'scim'; readonly orgId: string; readonly tokenId: string }
  /**
   * An org's SSO connection provisioning the person signing in through it (I2, just-in-time):
   * like SCIM, within its own org only, and it writes only what the connection's settings say
   * (default role, group mappings), which an admin holding those grants configured. Audited
   * with source `sso` and the connection id as actor.
   */
  | { readonly kind: 'sso'; readonly orgId: string; readonly connectionId: string }
  /**
   * A user signed in to one org with a session token: acts as the user itself (the engine checks
   * the user's own permissions), within that org only. Audited with the user as actor.
   */
  | {
      readonly kind: 'user';
      readonly orgId: string;
      readonly userId: string;
      readonly sessionId: string;
      /**
       * Set when the org requires MFA and the session was signed in with a password alone by
       * someone with no authenticator: it may only enroll one (../mfa/policy.ts).
       */
      readonly restricted?: 'mfa_enrollment' | undefined;
    };

/** A principal, optionally acting for a user (then both must be allowed), plus request facts. */
export interface Caller {
  readonly principal: Principal;
  /** A user id the call is made on behalf of. */
  readonly onBehalfOf?: string | undefined;
  readonly source: Source;
  readonly requestId?: string | undefined;
}

/** The id the audit log records for a principal. */
export function principalId(p: Principal): string {
  switch (p.kind) {
    case 'instance_admin':
      return 'instance_admin';
    case 'system':
      return 'system';
    case 'client':
      return p.clientId;
    case 'scim':
      return p.tokenId;
    case 'sso':
      return p.connectionId;
    case 'user':
      return p.userId;
  }
}

/** The one org a principal is bound to (API client, SCIM directory, user session), or null. */
export function principalOrg(p: Principal): string | null {
  return p.kind === 'client' || p.kind === 'scim' || p.kind === 'sso' || p.kind === 'user'
    ? p.orgId
    : null;
}

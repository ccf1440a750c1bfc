/** One row of the directory (M4): a member or a pending invitation, with roles and how each is held. */
import type { Environment } from '@gatehouse/core';
import type { AuthMethod } from '@gatehouse/db';

/** A member's (or invitee's) status (M4). */
export type DirectoryStatus = 'active' | 'deactivated' | 'pending';

/** One role as the directory shows it, relative to the listed scope. */
export interface DirectoryRole {
  readonly assignmentId: string | null;
  /** Role key (`viewer`) and display name (`Viewer`). */
  readonly role: string;
  readonly roleName: string;
  /** Where the assignment is placed. */
  readonly scopeId: string;
  readonly scopeName: string | null;
  readonly environment: Environment | null;
  /** `direct` ("Member") at `scopeId`, or `inherited` ("Inherited") from `scopeId` above. */
  readonly membership: 'direct' | 'inherited';
  /** The group the person holds it through, or null for their own assignment. */
  readonly viaGroup: { readonly id: string; readonly name: string } | null;
  /**
   * Override slots (`Preset.inheritance`, seed 004), present on an inherited role that a nearer
   * one of its slot replaces at the listed scope: the assignments that win over it.
   */
  readonly overriddenBy?: ReadonlyArray<{
    readonly assignmentId: string;
    readonly role: string;
    readonly scopeId: string;
    readonly environment: Environment | null;
  }>;
}

/** A row of the directory: a member, or a pending invitation. */
export interface DirectoryEntry {
  readonly kind: 'member' | 'invitation';
  /** The user (members); null for an invitation. */
  readonly userId: string | null;
  /** The invitation (pending rows); null for members. */
  readonly invitationId: string | null;
  readonly email: string;
  readonly name: string | null;
  readonly status: DirectoryStatus;
  readonly roles: readonly DirectoryRole[];
  readonly groups: ReadonlyArray<{ readonly id: string; readonly name: string }>;
  /** A confirmed TOTP authenticator guards their account (issue 14). */
  readonly mfaEnrolled: boolean;
  /** Their last sign-in to this org (a sign-in to another org does not count). */
  readonly lastLoginAt: string | null;
  /**
   * How that sign-in was made: `pwd`, `pwd+totp`, `pwd+recovery` or `sso`; null when none was
   * recorded (never signed in, or before migration 0019).
   */
  readonly lastLoginMethod: AuthMethod | null;
  /**
   * Scopes they can reach: how many, and the topmost ones (each with everything below it, at
   * most 10 listed). Zero while deactivated or pending.
   */
  readonly reach: {
    readonly count: number;
    readonly roots: ReadonlyArray<{
      readonly id: string;
      readonly name: string;
      readonly kind: string;
    }>;
  };
  /** Pending invitations: when it expires. */
  readonly expiresAt: string | null;
}

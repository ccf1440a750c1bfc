/**
 * I2: what just-in-time provisioning does for a sign-in, worked out before doing it: which user
 * (found by the IdP subject, linked by email, or new), whether they join the org and with which
 * role, and which mapped groups they enter or leave. A refusal says why. The dry run of a
 * connection (./test-sign-in.ts) shows this plan; a sign-in (./sign-in.ts) computes it under the
 * org lock and applies it.
 */
import type { Database, DB, SsoConnectionRow, Transaction } from '@gatehouse/db';
import { verifiedDomainOwner } from '../domains/index.js';
import { normalizeEmail } from '../rules/index.js';
import type { SsoClaimNames } from './connection-view.js';

type Q = DB | Transaction<Database>;

/** What Gatehouse takes from the IdP's claims. */
export interface SsoProfile {
  readonly subject: string;
  readonly email: string | null;
  readonly emailVerified: boolean;
  readonly name: string | null;
  /** The groups claim's values (empty when the connection reads none). */
  readonly groups: readonly string[];
}

/** Why a sign-in is refused. */
export type SsoRefusal =
  | 'no_subject'
  | 'no_email'
  | 'invalid_email'
  | 'email_not_verified'
  | 'link_not_allowed'
  | 'deactivated';

/** What provisioning will do (or why it will not). */
export interface SsoPlan {
  readonly profile: SsoProfile;
  readonly refused: { readonly reason: SsoRefusal; readonly message: string } | null;
  /**
   * `existing`: the IdP subject is known; `link`: a user with this email exists and the IdP
   * verified the email; `create`: a new user.
   */
  readonly user: {
    readonly action: 'existing' | 'link' | 'create';
    readonly userId: string | null;
  };
  /** `join`: not a member yet (gets the default role); `member`: already one. */
  readonly membership: 'join' | 'member';
  /** The role a newcomer gets (null: the preset's default role, if any), and where. */
  readonly defaultRole: { readonly role: string | null; readonly scopeId: string } | null;
  readonly groups: {
    readonly add: ReadonlyArray<{ readonly idpGroup: string; readonly groupId: string }>;
    readonly remove: ReadonlyArray<{ readonly groupId: string }>;
  };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

/** The profile a connection reads from the claims (ID token, completed by userinfo). */
export function profileOf(claims: Record<string, unknown>, names: SsoClaimNames): SsoProfile {
  const g = names.groups === null ? undefined : claims[names.groups];
  const groups = Array.isArray(g)
    ? g.filter((x): x is string => typeof x === 'string')
    : typeof g === 'string'
      ? [g]
      : [];
  const verified = claims[names.emailVerified];
  return {
    subject: str(claims.sub) ?? '',
    email: str(claims[names.email]),
    emailVerified: verified === true || verified === 'true',
    name: str(claims[names.name]),
    groups: [...new Set(groups)].slice(0, 1000),
  };
}

const refuse = (reason: SsoRefusal, message: string) => ({ reason, message });

/** The plan for `profile` signing in to the connection's org (reads only). */
export async function planSsoSignIn(
  q: Q,
  conn: SsoConnectionRow,
  profile: SsoProfile,
): Promise<SsoPlan> {
  const orgId = conn.org_id;
  const base = {
    profile,
    membership: 'join' as const,
    defaultRole: null,
    groups: { add: [], remove: [] },
  };
  if (!profile.subject) {
    return {
      ...base,
      refused: refuse('no_subject', 'the IdP sent no subject'),
      user: { action: 'create', userId: null },
    };
  }
  if (!profile.email) {
    return {
      ...base,
      refused: refuse('no_email', 'the IdP sent no email'),
      user: { action: 'create', userId: null },
    };
  }
  let lower: string;
  try {
    lower = normalizeEmail(profile.email).lower;
  } catch {
    return {
      ...base,
      refused: refuse('invalid_email', `"${profile.email}" is not an email address`),
      user: { action: 'create', userId: null },
    };
  }
  const identity = await q
    .selectFrom('sso_identities')
    .select('user_id')
    .where('org_id', '=', orgId)
    .where('connection_id', '=', conn.id)
    .where('subject', '=', profile.subject)
    .executeTakeFirst();
  let user: SsoPlan['user'];
  if (identity) {
    user = { action: 'existing', userId: identity.user_id };
  } else {
    const byEmail = await q
      .selectFrom('users')
      .select('id')
      .where('email_lower', '=', lower)
      .executeTakeFirst();
    // I3 linking: the IdP must say it verified the address, and the org must vouch for it too:
    // the address is of a domain this org verified, or the account is already this org's member
    // (the org added or invited that address). An org's IdP never takes over an account of
    // another org's people by naming their email.
    if (byEmail && !profile.emailVerified) {
      return {
        ...base,
        refused: refuse(
          'email_not_verified',
          `a user with ${profile.email} exists, and the IdP did not say the email is verified`,
        ),
        user: { action: 'link', userId: byEmail.id },
      };
    }
    if (byEmail && !(await orgVouchesFor(q, orgId, byEmail.id, lower))) {
      return {
        ...base,
        refused: refuse(
          'link_not_allowed',
          `a user with ${profile.email} exists and is not a member of this organization, whose verified domains do not include the address's (verify it with domains.claim and domains.verify, or invite the person)`,
        ),
        user: { action: 'link', userId: byEmail.id },
      };
    }
    user = byEmail ? { action: 'link', userId: byEmail.id } : { action: 'create', userId: null };
  }
  const member = user.userId
    ? await q
        .selectFrom('members')
        .select('status')
        .where('org_id', '=', orgId)
        .where('user_id', '=', user.userId)
        .executeTakeFirst()
    : undefined;
  if (member?.status === 'deactivated') {
    return {
      ...base,
      membership: 'member',
      refused: refuse('deactivated', 'this member is deactivated in the organization'),
      user,
    };
  }
  const mappings =
    profileGroupsRead(conn) === null
      ? []
      : await q
          .selectFrom('sso_group_mappings')
          .select(['idp_group', 'group_id'])
          .where('org_id', '=', orgId)
          .where('connection_id', '=', conn.id)
          .execute();
  const claimed = new Set(profile.groups);
  const wanted = new Map<string, string>();
  for (const m of mappings) if (claimed.has(m.idp_group)) wanted.set(m.group_id, m.idp_group);
  const mapped = [...new Set(mappings.map((m) => m.group_id))];
  const current =
    user.userId && mapped.length > 0
      ? (
          await q
            .selectFrom('group_members')
            .select('group_id')
            .where('org_id', '=', orgId)
            .where('member_id', '=', user.userId)
            .where('group_id', 'in', mapped)
            .execute()
        ).map((r) => r.group_id)
      : [];
  const has = new Set(current);
  return {
    profile,
    refused: null,
    user,
    membership: member ? 'member' : 'join',
    defaultRole: member
      ? null
      : { role: conn.default_role, scopeId: conn.default_scope_id ?? orgId },
    groups: {
      add: [...wanted]
        .filter(([groupId]) => !has.has(groupId))
        .map(([groupId, idpGroup]) => ({ idpGroup, groupId })),
      remove: current.filter((g) => !wanted.has(g)).map((groupId) => ({ groupId })),
    },
  };
}

function profileGroupsRead(conn: SsoConnectionRow): string | null {
  const g = (conn.claims as { groups?: string | null }).groups;
  return g === undefined ? 'groups' : g;
}

/** True when the org vouches for an existing account's address: a member already, or of a verified domain. */
async function orgVouchesFor(q: Q, orgId: string, userId: string, emailLower: string) {
  const member = await q
    .selectFrom('members')
    .select('user_id')
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (member) return true;
  return (await verifiedDomainOwner(q, emailLower))?.orgId === orgId;
}

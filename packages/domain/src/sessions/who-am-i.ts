/** Who the signed-in caller is, in which org, with what. */
import type { Call } from '../call.js';
import { invalid, notFound } from '../errors.js';
import { clock } from '../invitations/index.js';
import { enrollmentRequired, requiresMfa } from '../mfa/index.js';
import { type SessionView, sessionView } from './view.js';

/** Who a user session is: the user, the org it is signed in to, and the session. */
export interface WhoAmI {
  readonly user: { readonly id: string; readonly email: string; readonly name: string | null };
  readonly org: { readonly id: string; readonly name: string; readonly slug: string };
  readonly session: SessionView;
  /** The user's multi-factor authentication, and whether this session must enroll first. */
  readonly mfa: {
    readonly enrolled: boolean;
    readonly orgRequiresMfa: boolean;
    readonly enrollmentRequired: boolean;
  };
}

/** The signed-in user, their org and their session (a user session only). */
export async function whoAmI(call: Call): Promise<WhoAmI> {
  const { caller, services: s } = call;
  const p = caller.principal;
  if (p.kind !== 'user') throw invalid('only a user session has a signed-in user');
  const row = await s.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('orgs', 'orgs.id', 'sessions.org_id')
    .selectAll('sessions')
    .select([
      'users.email',
      'users.name',
      'users.mfa_enrolled',
      'orgs.name as org_name',
      'orgs.slug as org_slug',
      'orgs.settings as org_settings',
    ])
    .where('sessions.org_id', '=', p.orgId)
    .where('sessions.id', '=', p.sessionId)
    .executeTakeFirst();
  if (!row) throw notFound(`session ${p.sessionId}`);
  return {
    user: { id: row.user_id, email: row.email, name: row.name },
    org: { id: row.org_id, name: row.org_name, slug: row.org_slug },
    session: sessionView(row, clock(s)),
    mfa: {
      enrolled: row.mfa_enrolled,
      orgRequiresMfa: orgRequires(row.org_settings),
      enrollmentRequired: enrollmentRequired({
        authMethod: row.auth_method,
        mfaEnrolled: row.mfa_enrolled,
        orgSettings: row.org_settings,
      }),
    },
  };
}

function orgRequires(settings: Record<string, unknown>): boolean {
  try {
    return requiresMfa(settings);
  } catch {
    return false;
  }
}

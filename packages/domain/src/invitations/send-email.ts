/** Queues an invitation's email with its one-time link, encrypted until sent. */
import type { InvitationRow } from '@gatehouse/db';
import { queueEmail } from '../emails/index.js';
import type { OrgWrite } from '../org-write.js';
import type { SecretKey } from '../rules/index.js';
import type { Services } from '../services.js';
import { invitationEmail, invitationLink } from './email.js';

/** The base URL of links sent by email (`ServiceOptions.publicUrl`, default `http://127.0.0.1:4000`). */
export function publicUrlOf(s: Services): string {
  const u = s.options?.publicUrl;
  return (typeof u === 'function' ? u() : u) ?? 'http://127.0.0.1:4000';
}

/**
 * Queues the email carrying the link with `token`, in the write's transaction: the token is
 * sealed under the instance key until the email is sent, and erased when the link expires.
 */
export async function sendInvitationEmail(
  s: Services,
  w: OrgWrite,
  m: { row: InvitationRow; token: string; key: SecretKey; resent: boolean },
): Promise<void> {
  const { row } = m;
  const scopes = w.engine.snapshot.scopes;
  const orgName = scopes.find((x) => x.id === w.orgId)?.name ?? w.orgId;
  const scopeName =
    row.scope_id === w.orgId ? undefined : scopes.find((x) => x.id === row.scope_id)?.name;
  const expiresAt = new Date(row.expires_at);
  const mail = invitationEmail({
    orgName,
    scopeName,
    roleNames: row.roles.map((r) => w.engine.role(r.role)?.name ?? r.role),
    link: invitationLink(publicUrlOf(s), m.token),
    expiresAt,
    resent: m.resent,
  });
  await queueEmail(
    w.trx,
    {
      orgId: w.orgId,
      to: row.email,
      ...mail,
      kind: 'invitation',
      refId: row.id,
      secret: { value: m.token, expiresAt },
    },
    m.key,
  );
}

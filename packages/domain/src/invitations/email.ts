/** The invitation email: a plain-text and an HTML body carrying the one-time link. */

/** What the email says. */
export interface InvitationEmailInput {
  readonly orgName: string;
  /** Set when the invitation is into a scope below the organization. */
  readonly scopeName?: string | undefined;
  /** Display names of the roles given. */
  readonly roleNames: readonly string[];
  readonly link: string;
  readonly expiresAt: Date;
  /** True for a resent invitation. */
  readonly resent?: boolean | undefined;
}

/** The accept link: `${publicUrl}/invitations/accept?token=…`. */
export function invitationLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/invitations/accept?token=${encodeURIComponent(token)}`;
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/**
 * Renders the email.
 *
 * @example
 * invitationEmail({ orgName: 'Acme', roleNames: ['Viewer'], link, expiresAt });
 * // { subject: 'You are invited to join Acme', text: '…\n\nAccept the invitation: https://…', html }
 */
export function invitationEmail(input: InvitationEmailInput): {
  subject: string;
  text: string;
  html: string;
} {
  const where = input.scopeName ? `${input.orgName} (${input.scopeName})` : input.orgName;
  const as = input.roleNames.length ? ` as ${input.roleNames.join(', ')}` : '';
  const expires = input.expiresAt.toISOString().replace('T', ' ').slice(0, 16);
  const subject = `${input.resent ? 'Reminder: you' : 'You'} are invited to join ${input.orgName}`;
  const text = [
    'Hello,',
    '',
    `You have been invited to join ${where}${as}.`,
    '',
    `Accept the invitation: ${input.link}`,
    '',
    `The link works once and expires on ${expires} UTC.`,
    input.resent ? 'Links from earlier emails about this invitation no longer work.' : '',
    'If you did not expect this invitation, you can ignore this email.',
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n');
  const html = [
    `<p>Hello,</p>`,
    `<p>You have been invited to join <strong>${escapeHtml(where)}</strong>${escapeHtml(as)}.</p>`,
    `<p><a href="${escapeHtml(input.link)}">Accept the invitation</a></p>`,
    `<p>The link works once and expires on ${escapeHtml(expires)} UTC.${
      input.resent ? ' Links from earlier emails about this invitation no longer work.' : ''
    }</p>`,
    '<p>If you did not expect this invitation, you can ignore this email.</p>',
  ].join('\n');
  return { subject, text, html };
}

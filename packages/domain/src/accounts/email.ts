/** The password reset email: a plain-text and an HTML body carrying the one-time link. */

/** What the email says. */
export interface PasswordResetEmailInput {
  /** The account's email address. */
  readonly email: string;
  readonly link: string;
  readonly expiresAt: Date;
  /** Set when an org's administrator asked for it: that org's name. */
  readonly byAdminOf?: string | undefined;
}

/** The reset link: `${publicUrl}/password/reset?token=…`. */
export function passwordResetLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/password/reset?token=${encodeURIComponent(token)}`;
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
 * passwordResetEmail({ email: 'ana@acme.test', link, expiresAt });
 * // { subject: 'Reset your password', text: '…\n\nChoose a new password: https://…', html }
 */
export function passwordResetEmail(input: PasswordResetEmailInput): {
  subject: string;
  text: string;
  html: string;
} {
  const expires = input.expiresAt.toISOString().replace('T', ' ').slice(0, 16);
  const why = input.byAdminOf
    ? `An administrator of ${input.byAdminOf} asked that the account ${input.email} choose a new password, and signed it out of ${input.byAdminOf}.`
    : `Someone, hopefully you, asked to reset the password of the account ${input.email}.`;
  const ignore = input.byAdminOf
    ? 'Your current password keeps working until you choose a new one.'
    : 'If you did not ask for this, ignore this email: your password stays as it is.';
  const text = [
    'Hello,',
    '',
    why,
    '',
    `Choose a new password: ${input.link}`,
    '',
    `The link works once and expires on ${expires} UTC. Choosing a new password signs the account out everywhere.`,
    ignore,
  ].join('\n');
  const html = [
    '<p>Hello,</p>',
    `<p>${escapeHtml(why)}</p>`,
    `<p><a href="${escapeHtml(input.link)}">Choose a new password</a></p>`,
    `<p>The link works once and expires on ${escapeHtml(expires)} UTC. Choosing a new password signs the account out everywhere.</p>`,
    `<p>${escapeHtml(ignore)}</p>`,
  ].join('\n');
  return { subject: 'Reset your password', text, html };
}

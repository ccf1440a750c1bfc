/**
 * TOTP (RFC 6238) through otplib: 30-second steps, six digits, SHA-1, the settings every
 * authenticator app reads from an `otpauth://` URI; a code of the step before or after the
 * current one is accepted too (clocks drift). The QR code is an SVG data URL made by `qrcode`.
 */
import { generate, generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

/** Seconds per TOTP step. */
export const TOTP_PERIOD_SECONDS = 30;
/** The issuer authenticator apps show beside the account. */
export const TOTP_ISSUER = 'Gatehouse';

/** A new random TOTP secret (20 bytes, base32). */
export function newTotpSecret(): string {
  return generateSecret();
}

/** The `otpauth://totp/...` URI an authenticator app reads (typed in or scanned). */
export function totpUri(secret: string, accountName: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: accountName, secret });
}

/** The URI as a QR code: an `data:image/svg+xml;base64,…` URL for an `<img>`. */
export async function qrDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** The step a time falls in. */
export function totpStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code of `secret` at `now` (what an authenticator app shows; tests use it). */
export function totpCode(secret: string, now: Date = new Date()): Promise<string> {
  return generate({ secret, epoch: Math.floor(now.getTime() / 1000) });
}

/** How a presented code compares with the secret at `now`. */
export type TotpCheck =
  | { readonly ok: true; readonly step: number }
  | { readonly ok: false; readonly why: 'wrong' | 'replayed' };

/**
 * Checks a six-digit `code` against `secret` at `now`, one step of drift either way. A code of a
 * step at or before `lastStep` (the last one accepted) is `replayed`: each code works once.
 */
export async function checkTotp(
  secret: string,
  code: string,
  now: Date,
  lastStep: number | null,
): Promise<TotpCheck> {
  if (!/^\d{6}$/.test(code)) return { ok: false, why: 'wrong' };
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: TOTP_PERIOD_SECONDS,
  });
  // A TOTP answer carries the step the code belongs to.
  if (!result.valid || !('timeStep' in result)) return { ok: false, why: 'wrong' };
  if (lastStep !== null && result.timeStep <= lastStep) return { ok: false, why: 'replayed' };
  return { ok: true, step: result.timeStep };
}

/**
 * Enrolling a TOTP authenticator, step one (issue 14): a new secret for the signed-in user, shown
 * as the secret itself, an `otpauth://` URI and a QR code. The factor stays pending, changing
 * nothing about how the user signs in, until its first code confirms it (./confirm.ts), within
 * PENDING_TOTP_TTL_MS; starting again replaces a pending one. A user with a confirmed factor
 * disables it first.
 */
import { newId } from '@gatehouse/db';
import type { Call } from '../call.js';
import { conflict } from '../errors.js';
import { clock } from '../invitations/index.js';
import {
  confirmedFactor,
  factorKey,
  openFactorSecret,
  pendingFactor,
  sealFactorSecret,
} from './factors.js';
import { ownAccount } from './own-account.js';
import { newTotpSecret, qrDataUrl, totpUri } from './totp.js';

/** How long a pending factor waits for its first code: 30 minutes. */
export const PENDING_TOTP_TTL_MS = 30 * 60_000;

/** A pending TOTP factor as the user sees it while setting up the app. */
export interface TotpEnrollment {
  readonly factorId: string;
  /** The base32 secret, for typing into the app by hand. */
  readonly secret: string;
  /** `otpauth://totp/Gatehouse:<email>?secret=…&issuer=Gatehouse`. */
  readonly otpauthUri: string;
  /** The URI as a QR code: `data:image/svg+xml;base64,…`. */
  readonly qrDataUrl: string;
  /** When the pending factor stops waiting for its first code. */
  readonly expiresAt: string;
}

async function enrollmentView(
  id: string,
  secret: string,
  email: string,
  createdAt: Date,
): Promise<TotpEnrollment> {
  const otpauthUri = totpUri(secret, email);
  return {
    factorId: id,
    secret,
    otpauthUri,
    qrDataUrl: await qrDataUrl(otpauthUri),
    expiresAt: new Date(createdAt.getTime() + PENDING_TOTP_TTL_MS).toISOString(),
  };
}

/**
 * Starts enrolling a TOTP app for the signed-in user (a user session only). CONFLICT when they
 * already have a confirmed one.
 *
 * @example
 * const e = await enrollTotp(sessionCall); // show e.qrDataUrl, then confirmTotp with a code
 */
export async function enrollTotp(call: Call): Promise<TotpEnrollment> {
  const s = call.services;
  const me = await ownAccount(call, 'enrolling an authenticator');
  const secret = newTotpSecret();
  const id = newId('mfaFactor');
  const key = await factorKey(s);
  const now = clock(s);
  await s.db.transaction().execute(async (trx) => {
    await trx.selectFrom('users').select('id').where('id', '=', me.id).forNoKeyUpdate().execute();
    if (await confirmedFactor(trx, me.id)) {
      throw conflict(
        'this account already has an authenticator; disable it first (accounts.disableTotp) to enroll another',
      );
    }
    await trx
      .deleteFrom('mfa_factors')
      .where('user_id', '=', me.id)
      .where('confirmed_at', 'is', null)
      .execute();
    await trx
      .insertInto('mfa_factors')
      .values({
        id,
        user_id: me.id,
        kind: 'totp',
        secret_sealed: sealFactorSecret(key, id, secret),
        created_at: now,
      })
      .execute();
  });
  return enrollmentView(id, secret, me.email, now);
}

/**
 * The signed-in user's pending enrollment again (a page showing the QR code after a wrong first
 * code), or null when none is waiting. Only its own user sees it, and it protects nothing yet.
 */
export async function pendingTotp(call: Call): Promise<TotpEnrollment | null> {
  const s = call.services;
  const me = await ownAccount(call, 'enrolling an authenticator');
  const row = await freshPendingFactor(call, me.id);
  if (!row) return null;
  const secret = openFactorSecret(await factorKey(s), row);
  return enrollmentView(row.id, secret, me.email, new Date(row.created_at));
}

/** The user's pending factor if it is still waiting (younger than PENDING_TOTP_TTL_MS). */
export async function freshPendingFactor(call: Call, userId: string) {
  const row = await pendingFactor(call.services.db, userId);
  if (!row) return undefined;
  const age = clock(call.services).getTime() - new Date(row.created_at).getTime();
  return age < PENDING_TOTP_TTL_MS ? row : undefined;
}

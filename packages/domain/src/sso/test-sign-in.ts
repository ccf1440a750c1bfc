/** I1: the dry run of a connection: the claims received and what provisioning would do. */
import { DomainError } from '../errors.js';
import type { Services } from '../services.js';
import type { SsoAttempt } from './attempts.js';
import { loadConnection } from './connection-view.js';
import { planSsoSignIn, profileOf, type SsoPlan } from './plan.js';

/** What a test sign-in shows (nothing is written). */
export interface SsoTestReport {
  readonly connectionId: string;
  readonly claims: Record<string, unknown>;
  readonly plan: SsoPlan;
}

/** The report of a test attempt (see `startSsoTest`). */
export async function testSsoSignIn(
  s: Services,
  input: { attempt: SsoAttempt; claims: Record<string, unknown> },
): Promise<SsoTestReport> {
  const { attempt, claims } = input;
  if (attempt.mode !== 'test') throw new DomainError('INVALID', 'not a test attempt');
  const conn = await loadConnection(s.db, attempt.provider.orgId, attempt.provider.connectionId);
  const plan = await planSsoSignIn(s.db, conn, profileOf(claims, attempt.provider.claims));
  return { connectionId: conn.id, claims, plan };
}

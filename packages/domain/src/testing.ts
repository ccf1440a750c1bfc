/** Test fixtures of the domain (`@gatehouse/domain/testing`): never imported by product code. */
import type { Caller } from './context.js';
import type { WriteResult } from './org-write.js';
import { login, type SessionLogin } from './sessions/index.js';

export { appendSyntheticAudit } from './audit/index.js';

/** The instance admin calling through the API. */
export const instanceAdmin: Caller = { principal: { kind: 'instance_admin' }, source: 'api' };

/** An org's API client calling through the API, optionally on behalf of a user. */
export function asClient(orgId: string, clientId: string, onBehalfOf?: string): Caller {
  return { principal: { kind: 'client', orgId, clientId }, source: 'api', onBehalfOf };
}

export { startTestDnsServer, type TestDnsServer } from './dns-test-server.js';

/**
 * `login` for an account without an authenticator, typed as the session it then gets; throws
 * when the login asks for a second factor instead.
 */
export async function sessionLogin(
  ...args: Parameters<typeof login>
): Promise<WriteResult<SessionLogin>> {
  const { result, revision } = await login(...args);
  if (result.mfaRequired) throw new Error('this login asks for a second factor');
  return { result, revision };
}

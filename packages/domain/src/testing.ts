/** Test fixtures of the domain (`@gatehouse/domain/testing`): never imported by product code. */
import type { Caller } from './context.js';

export { appendSyntheticAudit } from './audit/index.js';

/** The instance admin calling through the API. */
export const instanceAdmin: Caller = { principal: { kind: 'instance_admin' }, source: 'api' };

/** An org's API client calling through the API, optionally on behalf of a user. */
export function asClient(orgId: string, clientId: string, onBehalfOf?: string): Caller {
  return { principal: { kind: 'client', orgId, clientId }, source: 'api', onBehalfOf };
}

export { startTestDnsServer, type TestDnsServer } from './dns-test-server.js';

/** K3: the API client an API key belongs to (cached briefly). */
import { verifyCredential } from '../rules/index.js';
import type { Services } from '../services.js';

/**
 * Resolves a bearer API key to its client, or throws UNAUTHENTICATED. Verified keys are cached
 * (`CredentialCache`: held until the org moves on, at most a minute); last use is recorded at
 * most once a minute.
 */
export async function authenticateApiKey(
  s: Services,
  key: string,
): Promise<{ orgId: string; clientId: string; name: string }> {
  const c = await verifyCredential(s, 'api_clients', key, {
    id: /^cli_/,
    invalid: 'invalid API key',
  });
  return { orgId: c.orgId, clientId: c.id, name: c.name };
}

/**
 * The demo organization seeded on first start: a Flowcode-style org with two workspaces, a few
 * members and an API client whose key is printed once.
 */
import {
  addMember,
  type Caller,
  createApiClient,
  createOrg,
  createScope,
  type Services,
} from '@gatehouse/domain';

/** What the demo seed created; the key is shown once. */
export interface DemoSeed {
  readonly orgId: string;
  readonly slug: string;
  readonly clientKey: string;
  /** Bob, Workspace Editor of Marketing and nothing in Sales: a check to try either way. */
  readonly editorUserId: string;
  readonly marketingId: string;
  readonly salesId: string;
}

const system: Caller = { principal: { kind: 'system' }, source: 'system', requestId: 'seed' };

/** Seeds the demo org when the database has no organization yet; returns null otherwise. */
export async function seedDemo(s: Services): Promise<DemoSeed | null> {
  const any = await s.db.selectFrom('orgs').select('id').limit(1).executeTakeFirst();
  if (any) return null;
  const { result: org } = await createOrg(
    { services: s, caller: system },
    {
      name: 'Demo Inc.',
      slug: 'demo',
      preset: 'flowcode',
      owner: { email: 'ada@demo.gatehouse.test', name: 'Ada Admin' },
    },
  );
  /** Every write below acts in the new org as the system. */
  const call = { services: s, caller: system, orgId: org.id };
  const { result: marketing } = await createScope(call, {
    kind: 'workspace',
    name: 'Marketing',
  });
  const { result: sales } = await createScope(call, {
    kind: 'workspace',
    name: 'Sales',
  });
  const { result: bob } = await addMember(call, {
    email: 'bob@demo.gatehouse.test',
    name: 'Bob Builder',
    roles: [{ role: 'org_user' }, { role: 'workspace_editor', scopeId: marketing.id }],
  });
  const { result: client } = await createApiClient(call, {
    name: 'demo backend',
    roles: [{ role: 'org_admin' }],
  });
  return {
    orgId: org.id,
    slug: org.slug,
    clientKey: client.key,
    editorUserId: bob.userId,
    marketingId: marketing.id,
    salesId: sales.id,
  };
}

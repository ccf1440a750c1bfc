/**
 * The org the HTTP check benchmarks ask about (api.ts, check-request.ts): an identity-platform
 * org with `members` members spread over 21 scopes, and an API client key; plus seeded random
 * check requests over it.
 */
import type { CheckRequest } from '@gatehouse/core';
import {
  addMember,
  type Caller,
  createApiClient,
  createOrg,
  createScope,
  type Services,
} from '@gatehouse/domain';
import { Rng } from './prng.js';

const system: Caller = { principal: { kind: 'system' }, source: 'system' };

/** The permissions asked about. */
export const PERMISSIONS = [
  'workflows.read',
  'workflows.write',
  'sessions.read',
  'billing.write',
  'org.update',
];

/** What `seedApiOrg` made. */
export interface ApiOrg {
  readonly orgId: string;
  readonly scopes: string[];
  readonly users: string[];
  /** An API client key of the org (role member). */
  readonly key: string;
}

/** Seeds the org (deterministic: same members, roles and scopes every run). */
export async function seedApiOrg(s: Services, members: number): Promise<ApiOrg> {
  const { result: org } = await createOrg(
    { services: s, caller: system },
    { name: 'API bench', preset: 'identity-platform', owner: { email: 'owner@bench.test' } },
  );
  /** Every write below acts in the new org as the system. */
  const call = { services: s, caller: system, orgId: org.id };
  const scopes = [org.id];
  for (let i = 0; i < 20; i++) {
    const parentId = scopes[Math.floor(i / 4)]!;
    const { result } = await createScope(call, {
      parentId,
      kind: 'sub_organization',
      name: `Sub ${i}`,
    });
    scopes.push(result.id);
  }
  const rng = new Rng(42);
  const roles = ['member', 'workflows_write', 'sessions_read', 'billing_write'];
  const users: string[] = [];
  for (let i = 0; i < members; i++) {
    const { result } = await addMember(call, {
      email: `user${i}@bench.test`,
      roles: [
        {
          role: roles[Math.floor(rng.float() * roles.length)]!,
          scopeId: scopes[Math.floor(rng.float() * scopes.length)],
        },
      ],
    });
    users.push(result.userId!);
  }
  const { result: client } = await createApiClient(call, {
    name: 'bench',
    roles: [{ role: 'member' }],
  });
  return { orgId: org.id, scopes, users, key: client.key };
}

/** `n` random checks over the org, the same for the same `seed`. */
export function checkRequests(
  n: number,
  users: readonly string[],
  scopes: readonly string[],
  seed: number,
): CheckRequest[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => ({
    subject: users[Math.floor(rng.float() * users.length)]!,
    permission: PERMISSIONS[Math.floor(rng.float() * PERMISSIONS.length)]!,
    scope: scopes[Math.floor(rng.float() * scopes.length)]!,
  }));
}

/**
 * Seed 000 (IDnow team management): one organization, three roles, new members are Viewers.
 * The table in `shared/seeds/000_*.txt` is reproduced cell by cell in `idnow.test.ts`.
 */
import { defineCatalog } from '../permission.js';
import { definePreset } from '../preset.js';

/** IDnow's product permissions: flows, sessions, analytics. */
export const idnowCatalog = defineCatalog({
  flows: { actions: ['read', 'write', 'configure'], description: 'Identity flows' },
  sessions: {
    actions: ['start', 'read', 'history', 'details'],
    description: 'Verification sessions',
  },
  analytics: ['read'],
});

const readOnly = [
  'org.read',
  'scopes.read',
  'members.read',
  'roles.read',
  'flows.read',
  'sessions.*',
  'analytics.read',
] as const;

/** Seed 000: Editor (everything), Developer (read + API clients, webhooks), Viewer (read + run). */
export const idnowPreset = definePreset({
  key: 'idnow',
  name: 'IDnow team management',
  description: 'One organization; Editor, Developer and Viewer; new members are Viewers.',
  catalog: idnowCatalog,
  rootKind: 'organization',
  scopeKinds: [{ key: 'organization', name: 'Organization', parents: [] }],
  roles: [
    {
      key: 'editor',
      name: 'Editor',
      description: 'Full access to managing flows, sessions, and team members',
      permissions: ['*'],
      slot: 'primary',
    },
    {
      key: 'developer',
      name: 'Developer',
      description:
        'Read-only access with the ability to run flows, manage API clients and webhooks',
      permissions: [...readOnly, 'apiClients.*', 'webhooks.*'],
      slot: 'primary',
    },
    {
      key: 'viewer',
      name: 'Viewer',
      description: 'Read-only access with the ability to run flows',
      permissions: [...readOnly],
      slot: 'primary',
    },
  ],
  defaultRoles: { organization: 'viewer' },
  ownerRole: 'editor',
  environments: false,
  invariants: [{ roleKey: 'editor', at: 'root', min: 1 }],
  everyUserOwnsAnOrg: false,
  scopedRoleMovesDown: false,
});

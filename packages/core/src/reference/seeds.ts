/**
 * Seed tables as data, shared by the engine's cell-by-cell tests and the end-to-end suite, so
 * the seed's wording and its cells are written down once.
 */
import type { PermissionOf } from '../permission.js';
import type { flowcodeCatalog } from '../presets/flowcode.js';
import type { idnowCatalog } from '../presets/idnow.js';

/** A cell of a seed table. */
export type SeedCell = '✅' | '❌';

/** One row of seed 000's table: its wording, the permissions that express it, its three cells. */
export interface IdnowSeedRow {
  readonly action: string;
  readonly permissions: readonly PermissionOf<typeof idnowCatalog>[];
  readonly editor: SeedCell;
  readonly developer: SeedCell;
  readonly viewer: SeedCell;
}

/** Seed 000 "Quick reference of team role permissions", row for row. */
export const idnowSeedTable: readonly IdnowSeedRow[] = [
  {
    action: 'View flows and content',
    permissions: ['flows.read'],
    editor: '✅',
    developer: '✅',
    viewer: '✅',
  },
  {
    action: 'Start sessions',
    permissions: ['sessions.start'],
    editor: '✅',
    developer: '✅',
    viewer: '✅',
  },
  {
    action: 'View session',
    permissions: ['sessions.read'],
    editor: '✅',
    developer: '✅',
    viewer: '✅',
  },
  {
    action: 'View session history',
    permissions: ['sessions.history'],
    editor: '✅',
    developer: '✅',
    viewer: '✅',
  },
  {
    action: 'View analytics',
    permissions: ['analytics.read'],
    editor: '✅',
    developer: '✅',
    viewer: '✅',
  },
  {
    action: 'View session details',
    permissions: ['sessions.details'],
    editor: '✅',
    developer: '✅',
    viewer: '✅',
  },
  {
    action: 'Create/edit/delete flows',
    permissions: ['flows.write'],
    editor: '✅',
    developer: '❌',
    viewer: '❌',
  },
  {
    action: 'Configure flow settings',
    permissions: ['flows.configure'],
    editor: '✅',
    developer: '❌',
    viewer: '❌',
  },
  {
    action: 'Manage API clients',
    permissions: ['apiClients.read', 'apiClients.manage'],
    editor: '✅',
    developer: '✅',
    viewer: '❌',
  },
  {
    action: 'Manage webhooks',
    permissions: ['webhooks.read', 'webhooks.manage'],
    editor: '✅',
    developer: '✅',
    viewer: '❌',
  },
  {
    action: 'Add/remove team members',
    permissions: ['members.invite', 'members.remove'],
    editor: '✅',
    developer: '❌',
    viewer: '❌',
  },
  {
    action: 'Assign roles',
    permissions: ['roles.assign'],
    editor: '✅',
    developer: '❌',
    viewer: '❌',
  },
];

/** One section of seed 001's Organization Admin console: its permissions and two cells. */
export interface FlowcodeOrgSeedRow {
  readonly section: string;
  readonly permissions: readonly PermissionOf<typeof flowcodeCatalog>[];
  readonly admin: SeedCell;
  readonly user: SeedCell;
}

/** Seed 001 §1, the sections of the Organization Admin console. */
export const flowcodeOrgSeedTable: readonly FlowcodeOrgSeedRow[] = [
  {
    section: 'Dashboard: aggregate data from all workspaces',
    permissions: ['dashboard.read'],
    admin: '✅',
    user: '❌',
  },
  {
    section: 'Workspaces: see all workspaces in the org',
    permissions: ['scopes.read'],
    admin: '✅',
    user: '❌',
  },
  {
    section: 'Workspaces: create/delete workspaces',
    permissions: ['scopes.create', 'scopes.delete'],
    admin: '✅',
    user: '❌',
  },
  {
    section: 'Teams: create/edit/delete teams and manage their members',
    permissions: ['groups.read', 'groups.manage'],
    admin: '✅',
    user: '❌',
  },
  {
    section: 'Users: invite and remove users from the org',
    permissions: ['members.invite', 'members.remove'],
    admin: '✅',
    user: '❌',
  },
  {
    section: 'Users: view last login and workspace access, manage organization roles',
    permissions: ['members.read', 'roles.assign'],
    admin: '✅',
    user: '❌',
  },
  {
    section: 'Activity: track all actions with a change log',
    permissions: ['audit.read'],
    admin: '✅',
    user: '❌',
  },
  {
    section: "Settings: edit the org's description and avatar",
    permissions: ['org.update'],
    admin: '✅',
    user: '❌',
  },
  {
    section: 'Settings: manage org-wide integrations',
    permissions: ['integrations.manage'],
    admin: '✅',
    user: '❌',
  },
  {
    section: 'Settings: view single sign-on',
    permissions: ['sso.read'],
    admin: '✅',
    user: '❌',
  },
  {
    section: 'Settings: create domains',
    permissions: ['domains.manage'],
    admin: '✅',
    user: '❌',
  },
];

/** One capability of seed 001's workspace roles: its permissions and three cells. */
export interface FlowcodeWorkspaceSeedRow {
  readonly capability: string;
  readonly permissions: readonly PermissionOf<typeof flowcodeCatalog>[];
  readonly admin: SeedCell;
  readonly editor: SeedCell;
  readonly viewer: SeedCell;
}

/** Seed 001 §2, the three workspace roles as the seed words them. */
export const flowcodeWorkspaceSeedTable: readonly FlowcodeWorkspaceSeedRow[] = [
  {
    capability: 'Members: set user permissions and add/remove users from the workspace',
    permissions: [
      'members.read',
      'members.invite',
      'members.update',
      'members.remove',
      'roles.assign',
    ],
    admin: '✅',
    editor: '❌',
    viewer: '❌',
  },
  {
    capability: 'Teams: set team permissions and add/remove teams from the workspace',
    permissions: ['groups.read', 'roles.assign'],
    admin: '✅',
    editor: '❌',
    viewer: '❌',
  },
  {
    capability: 'Domains: add a custom whitelabel domain to the workspace',
    permissions: ['domains.read', 'domains.manage'],
    admin: '✅',
    editor: '❌',
    viewer: '❌',
  },
  {
    capability: 'Integrations: install apps to integrate a CRM or CDP',
    permissions: ['integrations.read', 'integrations.manage'],
    admin: '✅',
    editor: '❌',
    viewer: '❌',
  },
  {
    capability: 'Settings: edit workspace name, description and avatar',
    permissions: ['scopes.update'],
    admin: '✅',
    editor: '❌',
    viewer: '❌',
  },
  {
    capability: 'Create, edit and delete flows',
    permissions: ['flows.write'],
    admin: '✅',
    editor: '✅',
    viewer: '❌',
  },
  {
    capability: 'Create, edit and delete assets',
    permissions: ['assets.write'],
    admin: '✅',
    editor: '✅',
    viewer: '❌',
  },
  {
    capability: 'View analytics',
    permissions: ['analytics.read'],
    admin: '✅',
    editor: '✅',
    viewer: '✅',
  },
  {
    capability: 'Download flows',
    permissions: ['flows.read', 'flows.download'],
    admin: '✅',
    editor: '✅',
    viewer: '✅',
  },
  {
    capability: 'Enter the workspace',
    permissions: ['scopes.read'],
    admin: '✅',
    editor: '✅',
    viewer: '✅',
  },
];

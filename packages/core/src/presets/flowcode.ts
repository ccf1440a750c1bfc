/**
 * Seed 001 (Flowcode 2): an Organization (Admin / User) over Workspaces (Admin / Editor /
 * Viewer), with fine-grained add-ons that stack on a workspace's primary role.
 */
import { defineCatalog } from '../permission.js';
import { definePreset } from '../preset.js';

/** Flowcode's product permissions. */
export const flowcodeCatalog = defineCatalog({
  dashboard: { actions: ['read'], description: 'Aggregate data from all workspaces' },
  flows: { actions: ['read', 'write', 'download'], description: 'Flowcodes and conversion flows' },
  assets: ['write'],
  analytics: ['read'],
  brandKits: { actions: ['manage'], description: 'Brand assets, colors and styles' },
  audience: {
    actions: ['read', 'manage', 'export'],
    description: 'Audience data collected in a workspace',
  },
  integrations: { actions: ['read', 'manage'], description: 'CRM and CDP apps' },
});

const workspace = ['workspace'] as const;

/** Seed 001's roles at both levels plus the three fine-grained add-ons. */
export const flowcodePreset = definePreset({
  key: 'flowcode',
  name: 'Flowcode organization and workspaces',
  description:
    'Organization Admin / User over Workspace Admin / Editor / Viewer, with Flows Manager, Brand Kits Manager and Audience Viewer add-ons per workspace.',
  catalog: flowcodeCatalog,
  rootKind: 'organization',
  scopeKinds: [
    { key: 'organization', name: 'Organization', parents: [] },
    { key: 'workspace', name: 'Workspace', parents: ['organization'] },
  ],
  roles: [
    {
      key: 'org_admin',
      name: 'Admin',
      description: 'Super user: every workspace and the Organization Admin console',
      permissions: ['*'],
      slot: 'primary',
      scopeKinds: ['organization'],
    },
    {
      key: 'org_user',
      name: 'User',
      description: 'Sees only the workspaces they are given; roles are set per workspace',
      permissions: ['org.read'],
      slot: 'primary',
      scopeKinds: ['organization'],
    },
    {
      key: 'workspace_admin',
      name: 'Admin',
      description: 'Members, teams, domains, integrations and settings of one workspace',
      permissions: [
        'scopes.read',
        'scopes.update',
        'members.read',
        'members.invite',
        'members.update',
        'members.remove',
        'roles.read',
        'roles.assign',
        'groups.read',
        'domains.read',
        'domains.manage',
        'integrations.*',
        'flows.*',
        'assets.write',
        'analytics.read',
        'brandKits.manage',
        'audience.*',
      ],
      slot: 'primary',
      scopeKinds: workspace,
    },
    {
      key: 'workspace_editor',
      name: 'Editor',
      description: 'Create, edit and delete flows and assets; cannot manage users',
      permissions: ['scopes.read', 'flows.*', 'assets.write', 'analytics.read'],
      slot: 'primary',
      scopeKinds: workspace,
    },
    {
      key: 'workspace_viewer',
      name: 'Viewer',
      description: 'Read-only: view analytics and download flows',
      permissions: ['scopes.read', 'flows.read', 'flows.download', 'analytics.read'],
      slot: 'primary',
      scopeKinds: workspace,
    },
    {
      key: 'flows_manager',
      name: 'Flows Manager',
      description: 'Create and manage conversion flows in the workspace',
      permissions: ['flows.read', 'flows.write'],
      scopeKinds: workspace,
    },
    {
      key: 'brand_kits_manager',
      name: 'Brand Kits Manager',
      description: 'Manage brand assets, colors and styles in the workspace',
      permissions: ['brandKits.manage'],
      scopeKinds: workspace,
    },
    {
      key: 'audience_viewer',
      name: 'Audience Viewer',
      description: 'View, manage and export audience data in the workspace',
      permissions: ['audience.read', 'audience.manage', 'audience.export'],
      scopeKinds: workspace,
    },
  ],
  defaultRoles: { organization: 'org_user', workspace: 'workspace_viewer' },
  ownerRole: 'org_admin',
  environments: false,
  invariants: [{ roleKey: 'org_admin', at: 'root', min: 1 }],
  everyUserOwnsAnOrg: false,
  scopedRoleMovesDown: false,
});

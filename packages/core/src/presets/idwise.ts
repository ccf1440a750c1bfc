/**
 * Seed 003 (IDWise user & access management): access comes from user groups, business-wide or
 * limited to tenants, with per-feature permissions set separately for Live and Sandbox. Each
 * feature is a built-in role; ticking "Live" for a feature on a group is an assignment of that
 * role to the group with `environment: 'live'`.
 */
import { defineCatalog } from '../permission.js';
import { definePreset } from '../preset.js';

/** IDWise's dashboard features. Deleting verifications and original selfies are sensitive (R7). */
export const idwiseCatalog = defineCatalog({
  verifications: {
    actions: ['perform', 'view', 'viewOriginalSelfie', 'delete', 'export'],
    sensitive: ['viewOriginalSelfie', 'delete'],
    description: 'Identity verifications',
  },
  decisions: { actions: ['manual'], description: 'Override the outcome of a journey' },
  flowBuilder: { actions: ['use'], description: 'Flow design with the visual builder' },
  themes: { actions: ['design'], description: 'Branding and UI elements' },
  developer: { actions: ['manage'], description: 'Credentials, webhooks and integration settings' },
  analytics: { actions: ['read'], description: 'Reports and usage metrics' },
});

/** One feature of the seed's group permission grid: its role key, label and permissions. */
export const idwiseFeatures = [
  {
    key: 'perform_verification',
    name: 'Perform Verification',
    permissions: ['verifications.perform'],
  },
  { key: 'view_verification', name: 'View Verification', permissions: ['verifications.view'] },
  {
    key: 'view_original_selfie',
    name: 'View Original Selfie',
    permissions: ['verifications.viewOriginalSelfie'],
  },
  {
    key: 'delete_verification',
    name: 'Delete Verification',
    permissions: ['verifications.delete'],
  },
  {
    key: 'export_verification',
    name: 'Export Verification',
    permissions: ['verifications.export'],
  },
  { key: 'manual_decisions', name: 'Manual Decisions', permissions: ['decisions.manual'] },
  { key: 'flow_builder', name: 'Flow Builder', permissions: ['flowBuilder.use'] },
  { key: 'theme_designer', name: 'Theme Designer', permissions: ['themes.design'] },
  {
    key: 'developer_area',
    name: 'Developer Area',
    permissions: [
      'developer.manage',
      'apiClients.read',
      'apiClients.manage',
      'webhooks.read',
      'webhooks.manage',
    ],
  },
  { key: 'analytics', name: 'Analytics', permissions: ['analytics.read'] },
] as const;

/** Seed 003: an Administrator for user and access management, and one role per feature. */
export const idwisePreset = definePreset({
  key: 'idwise',
  name: 'IDWise user and access management',
  description:
    'User groups, business-wide or tenant-specific, with per-feature permissions for Live and Sandbox.',
  catalog: idwiseCatalog,
  rootKind: 'business',
  scopeKinds: [
    { key: 'business', name: 'Business', parents: [] },
    { key: 'tenant', name: 'Tenant', parents: ['business'] },
  ],
  roles: [
    {
      key: 'administrator',
      name: 'Administrator',
      description: 'Manages users, user groups and every feature',
      permissions: ['*'],
      slot: 'primary',
    },
    ...idwiseFeatures.map((f) => ({ ...f, permissions: [...f.permissions] })),
  ],
  defaultRoles: { business: null, tenant: null },
  ownerRole: 'administrator',
  environments: true,
  invariants: [{ roleKey: 'administrator', at: 'root', min: 1 }],
  everyUserOwnsAnOrg: false,
  scopedRoleMovesDown: false,
});

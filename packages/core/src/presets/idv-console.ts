/**
 * Seed 002 (an identity-verification Admin Console): five roles over four capabilities, each
 * assignable at organization level (every subtenant) or per subtenant (that one only); a
 * subtenant-level role moves an org-level user down to that subtenant.
 */
import { defineCatalog } from '../permission.js';
import { definePreset } from '../preset.js';

/** The console's product permissions. */
export const idvConsoleCatalog = defineCatalog({
  config: { actions: ['write'], description: 'Configuration changes' },
  workflows: ['read', 'write'],
  services: ['read', 'write'],
  transactions: ['read'],
  reports: ['read'],
});

/** The seed's four capabilities, as permission sets (the columns of its table). */
export const idvCapabilities = {
  configChanges: ['config.write', 'workflows.write', 'services.write'],
  userManagement: [
    'members.read',
    'members.invite',
    'members.update',
    'members.remove',
    'roles.read',
    'roles.assign',
  ],
  viewServicesAndWorkflows: ['workflows.read', 'services.read'],
  viewTransactionsAndReports: ['transactions.read', 'reports.read'],
} as const;

const { configChanges, userManagement, viewServicesAndWorkflows, viewTransactionsAndReports } =
  idvCapabilities;

/** Seed 002: Admin, Service Manager, Manager, Auditor, Default. */
export const idvConsolePreset = definePreset({
  key: 'idv-console',
  name: 'Identity verification admin console',
  description:
    'Admin, Service Manager, Manager, Auditor and Default, at organization level or per subtenant.',
  catalog: idvConsoleCatalog,
  rootKind: 'organization',
  scopeKinds: [
    { key: 'organization', name: 'Organization', parents: [] },
    { key: 'subtenant', name: 'Subtenant', parents: ['organization'] },
  ],
  roles: [
    {
      key: 'admin',
      name: 'Admin',
      description: 'Full access: configuration and user management',
      permissions: ['*'],
      slot: 'primary',
    },
    {
      key: 'service_manager',
      name: 'Service Manager',
      description: 'Creates and modifies workflows and configurations; cannot add or remove users',
      permissions: [
        'scopes.read',
        ...configChanges,
        ...viewServicesAndWorkflows,
        ...viewTransactionsAndReports,
      ],
      slot: 'primary',
    },
    {
      key: 'manager',
      name: 'Manager',
      description: 'Invites and manages users; cannot change workflow configuration',
      permissions: [
        'scopes.read',
        ...userManagement,
        ...viewServicesAndWorkflows,
        ...viewTransactionsAndReports,
      ],
      slot: 'primary',
    },
    {
      key: 'auditor',
      name: 'Auditor',
      description: 'Read-only access to transactions and reports only',
      permissions: ['scopes.read', ...viewTransactionsAndReports],
      slot: 'primary',
    },
    {
      key: 'default',
      name: 'Default',
      description: 'Read-only access including workflow and service visibility',
      permissions: ['scopes.read', ...viewServicesAndWorkflows, ...viewTransactionsAndReports],
      slot: 'primary',
    },
  ],
  defaultRoles: { organization: 'default', subtenant: 'default' },
  ownerRole: 'admin',
  environments: false,
  invariants: [{ roleKey: 'admin', at: 'root', min: 1 }],
  everyUserOwnsAnOrg: false,
  // "assign them a subtenant-level role … They will not see any other subtenants or
  // organization-level settings": the org-level role ends when a subtenant role is given.
  scopedRoleMovesDown: true,
});

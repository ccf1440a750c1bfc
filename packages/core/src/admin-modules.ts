/** Gatehouse's own modules: the administrative permissions every catalog starts with (R1). */
import type { ModuleSpecs, PermissionsOf } from './permission.js';

/**
 * Gatehouse's own administrative permissions (SPEC R1): members, roles, groups, scopes, audit,
 * API clients, webhooks, SSO, SCIM, domains and organization settings.
 */
export const adminModules = {
  org: { actions: ['read', 'update', 'delete'], description: 'Organization details and settings' },
  scopes: {
    actions: ['read', 'create', 'update', 'delete'],
    description: 'Sub-organizations, workspaces, subtenants',
  },
  members: {
    actions: ['read', 'invite', 'update', 'remove'],
    description: 'People in the organization and their lifecycle',
  },
  roles: {
    actions: ['read', 'assign', 'manage'],
    description: 'Giving roles to subjects (assign) and defining custom roles (manage)',
  },
  groups: { actions: ['read', 'manage'], description: 'Groups and teams' },
  audit: { actions: ['read', 'write'], description: 'The activity log' },
  apiClients: { actions: ['read', 'manage'], description: 'API clients and their secrets' },
  webhooks: { actions: ['read', 'manage'], description: 'Webhook endpoints and deliveries' },
  sso: { actions: ['read', 'manage'], description: 'Single sign-on connections' },
  scim: { actions: ['manage'], description: 'SCIM directory tokens' },
  domains: { actions: ['read', 'manage'], description: 'Verified domains' },
} as const satisfies ModuleSpecs;

/** Gatehouse's administrative permission names (`members.invite`, `roles.assign`, ...). */
export type AdminPermission = PermissionsOf<typeof adminModules>;

/**
 * Seed 004 (an identity platform's team management): an Owner, a read-only Member, and
 * module-based read/write roles (one slot per module); sub-organizations inherit roles from the
 * organization ("Inherited"), a direct role there is listed as "Member", a module role set there
 * replaces the inherited one of that module and "None" falls back to the parent (override
 * slots), every organization keeps an Owner and every user owns an organization.
 */
import { defineCatalog } from '../permission.js';
import { definePreset, type RoleDecl } from '../preset.js';

/** The platform's modules. */
export const identityPlatformCatalog = defineCatalog({
  workflows: ['read', 'write'],
  sessions: ['read', 'write'],
  billing: ['read', 'write'],
  developers: { actions: ['read', 'write'], description: 'API keys, webhooks and integrations' },
});

type P = NonNullable<(typeof identityPlatformCatalog)['__permissions']>;

/** The modules that have a read and a write role. */
export const identityPlatformModules = ['workflows', 'sessions', 'billing', 'developers'] as const;

const label = (m: string) => m[0]!.toUpperCase() + m.slice(1);
const extra = (m: string, level: 'read' | 'write'): P[] =>
  m !== 'developers'
    ? []
    : level === 'read'
      ? ['apiClients.read', 'webhooks.read']
      : ['apiClients.read', 'apiClients.manage', 'webhooks.read', 'webhooks.manage'];

const moduleRoles: RoleDecl<P>[] = identityPlatformModules.flatMap((m) => [
  {
    key: `${m}_read`,
    name: `${label(m)}: Read`,
    permissions: ['org.read', 'scopes.read', `${m}.read` as P, ...extra(m, 'read')],
    slot: `module:${m}`,
  },
  {
    key: `${m}_write`,
    name: `${label(m)}: Write`,
    permissions: ['org.read', 'scopes.read', `${m}.*` as P, ...extra(m, 'write')],
    slot: `module:${m}`,
  },
]);

/** Seed 004: Owner, Member (read-only) and `<module>_read` / `<module>_write` roles. */
export const identityPlatformPreset = definePreset({
  key: 'identity-platform',
  name: 'Identity platform team management',
  description:
    'Owner, read-only Member and module read/write roles; sub-organizations inherit from their parents.',
  catalog: identityPlatformCatalog,
  rootKind: 'organization',
  scopeKinds: [
    { key: 'organization', name: 'Organization', parents: [] },
    {
      key: 'sub_organization',
      name: 'Sub-organization',
      parents: ['organization', 'sub_organization'],
    },
  ],
  roles: [
    {
      key: 'owner',
      name: 'Owner',
      description: 'Full administrative privileges for the team and organization',
      permissions: ['*'],
      slot: 'primary',
    },
    {
      key: 'member',
      name: 'Member',
      description: 'Read-only access to every module',
      permissions: [
        'org.read',
        'scopes.read',
        'members.read',
        'roles.read',
        'groups.read',
        ...identityPlatformModules.map((m) => `${m}.read` as P),
        'apiClients.read',
        'webhooks.read',
      ],
      slot: 'primary',
    },
    ...moduleRoles,
  ],
  defaultRoles: { organization: 'member', sub_organization: 'member' },
  ownerRole: 'owner',
  environments: false,
  invariants: [{ roleKey: 'owner', at: 'root', min: 1 }],
  everyUserOwnsAnOrg: true,
  scopedRoleMovesDown: false,
  /**
   * Seed 004: "If the user's permission is set to 'None' in sub-organizations, the user's
   * permission defaults from the organization." The sentence sits in the per-module role picker
   * ("a detailed selection of roles for each module"), so each module slot is `override`: a
   * module role set at a sub-organization is what applies there for that module, narrowing
   * (write → read) as well as widening, and "None" (no role of that module there) inherits.
   * `primary` (Owner / Member) stays additive: the seed's direct add at a sub-organization is
   * "listed as Member instead of Inherited", a listing label rather than a demotion, and an
   * organization Owner keeps full rights in every sub-organization ("full administrative
   * privileges for the team and organization").
   */
  inheritance: Object.fromEntries(identityPlatformModules.map((m) => [`module:${m}`, 'override'])),
});

/**
 * The small preset the engine tests build their orgs on: org → nested workspaces, three roles
 * (Owner with everything, Reader, Writer who may assign roles), environments, at least one Owner.
 */
import { defineCatalog } from '../permission.js';
import { definePreset } from '../preset.js';

/** The mini preset's catalog: one module, `flows.read` and `flows.write`. */
export const miniCatalog = defineCatalog({ flows: ['read', 'write'] });

/** The mini preset. */
export const miniPreset = definePreset({
  key: 'mini',
  name: 'Mini',
  description: 'test preset',
  catalog: miniCatalog,
  rootKind: 'org',
  scopeKinds: [
    { key: 'org', name: 'Org', parents: [] },
    { key: 'ws', name: 'Workspace', parents: ['org', 'ws'] },
  ],
  roles: [
    { key: 'owner', name: 'Owner', permissions: ['*'], slot: 'primary' },
    { key: 'reader', name: 'Reader', permissions: ['flows.read'], slot: 'primary' },
    { key: 'writer', name: 'Writer', permissions: ['flows.*', 'roles.assign'], slot: 'primary' },
  ],
  defaultRoles: { org: 'reader', ws: 'reader' },
  ownerRole: 'owner',
  environments: true,
  invariants: [{ roleKey: 'owner', at: 'root', min: 1 }],
  everyUserOwnsAnOrg: false,
});

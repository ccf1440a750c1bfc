/**
 * A small preset document, the one the README shows: shared by the tests of core, the domain,
 * the server and the end-to-end suite, so the example is written down once.
 */
import type { PresetDocument } from '../preset-document.js';

/** "Docs app": organizations with projects; Owner everywhere, Reader by default, Writer per project. */
export const docsAppDocument: PresetDocument = {
  key: 'docs-app',
  name: 'Docs app',
  catalog: { docs: { actions: ['read', 'write', 'delete'], sensitive: ['delete'] } },
  rootKind: 'organization',
  scopeKinds: {
    organization: { name: 'Organization' },
    project: { name: 'Project', parents: ['organization'] },
  },
  roles: {
    owner: { name: 'Owner', permissions: ['*'], slot: 'primary' },
    reader: { name: 'Reader', permissions: ['docs.read'], slot: 'primary' },
    writer: {
      name: 'Writer',
      permissions: ['docs.read', 'docs.write'],
      slot: 'primary',
      scopeKinds: ['project'],
    },
  },
  defaultRoles: { organization: 'reader', project: 'writer' },
  ownerRole: 'owner',
  invariants: [{ roleKey: 'owner', min: 1 }],
};

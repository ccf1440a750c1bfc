/**
 * Seed tables as data, shared by the engine's cell-by-cell tests and the end-to-end suite, so
 * the seed's wording and its cells are written down once.
 */
import type { PermissionOf } from '../permission.js';
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

/** Scopes: the tree of projects, workspaces and sub-organizations in an org (T2). */
export * from './create.js';
export * from './delete.js';
export * from './list.js';
export * from './update.js';
export * from './view.js';

/** Members of an org: add, roles, removal, status, profile (M5, M6). */
export * from './add.js';
export * from './remove.js';
export * from './set-roles.js';
export * from './set-status.js';
export * from './update.js';
export * from './view.js';

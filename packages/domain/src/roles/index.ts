/** Roles: the preset's and custom ones (R1, R2). */
export * from './create.js';
export * from './delete.js';
export * from './list.js';
export * from './update.js';
export * from './validate.js';
export * from './view.js';

/** Groups: their roles, limits and members (G1, G2). */
export * from './access.js';
export * from './add-members.js';
export * from './create.js';
export * from './delete.js';
export * from './get.js';
export * from './list.js';
export * from './list-members.js';
export * from './membership.js';
export * from './of-member.js';
export * from './remove-members.js';
export * from './update.js';
export * from './view.js';

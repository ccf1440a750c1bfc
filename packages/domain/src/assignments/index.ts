/** Role assignments of subjects at scopes (R6). */
export * from './assign.js';
export * from './list.js';
export * from './revoke.js';

/** Permission questions answered from the org's engine (C1–C5). */

export * from './check.js';
export * from './check-many.js';
export * from './effective-permissions.js';
export * from './explain.js';
export * from './list-scopes-for.js';
export * from './list-subjects-for.js';
export * from './shared.js';
export * from './snapshot.js';

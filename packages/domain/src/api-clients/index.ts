/** API clients and their keys (K1–K3). */
export * from './authenticate.js';
export * from './create.js';
export * from './list.js';
export * from './revoke.js';
export * from './rotate.js';
export * from './view.js';

/** Organizations (T1). */
export * from './create.js';
export * from './get.js';
export * from './list.js';
export * from './update.js';
export * from './view.js';

/** The member directory and its overview (M4, T6). */
export * from './cursor.js';
export * from './entry.js';
export * from './list.js';
export * from './overview.js';
export * from './plan.js';
export * from './rows.js';

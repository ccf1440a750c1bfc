/** The compiled access engine of each org: cache, snapshot loading, deltas from the journal, the scope index. */
export * from './cache.js';
export * from './journal-rows.js';
export * from './scope-index.js';
export * from './snapshot-delta.js';
export * from './snapshot-loader.js';

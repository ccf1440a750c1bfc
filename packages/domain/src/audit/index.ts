/** The audit log: the hash chain, its reads and export, product events, verification, retention. */
export * from './append.js';
export * from './export.js';
export * from './list.js';
export * from './prune.js';
export * from './record-event.js';
export * from './retention-job.js';
export * from './signing.js';
export * from './synthetic.js';
export * from './verify.js';
export * from './view.js';

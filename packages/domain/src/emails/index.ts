/** Outgoing email through the outbox, its delivery and the secrets it carries. */
export * from './claim.js';
export * from './deliver.js';
export * from './outgoing.js';
export * from './queue.js';
export * from './read.js';
export * from './redact.js';
export * from './secrets.js';

/** The instance admin key. */
export * from './admin-key.js';

/** Test fixtures of the domain (`@gatehouse/domain/testing`): never imported by product code. */
export { appendSyntheticAudit } from './audit/index.js';

/** @gatehouse/edge — guards at the HTTP edge shared by the API and SCIM. */
export {
  bearerOf,
  type CredentialSource,
  CredentialThrottle,
  type CredentialThrottleLimits,
  DEFAULT_CREDENTIAL_THROTTLE,
  keyPrefixOf,
  type ThrottleRefusal,
} from './credential-throttle.js';
export { EdgeError, type EdgeReason } from './edge-error.js';
export { internalErrorMessage, newErrorId } from './error-id.js';
export { parseJsonText } from './json-body.js';
export { DEFAULT_MAX_JSON_DEPTH, jsonNestingExceeds } from './json-depth.js';
export { DEFAULT_MAX_BODY_BYTES, formatBytes, hasBody, readBody } from './read-body.js';
export { findUnstorable, type JsonValueLimits, unstorableText } from './storable-text.js';

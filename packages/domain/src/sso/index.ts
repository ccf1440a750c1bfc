/** Single sign-on (I1, I2): OIDC connections per org, sign-ins with just-in-time provisioning. */
export * from './attempts.js';
export * from './connection-view.js';
export * from './create-connection.js';
export * from './delete-connection.js';
export * from './exchange.js';
export * from './group-mappings.js';
export * from './list-connections.js';
export type { SsoPlan, SsoProfile, SsoRefusal } from './plan.js';
export { redirectAllowed, setSsoRedirectUris } from './redirect-uris.js';
export * from './sign-in.js';
export * from './sweep.js';
export * from './test-sign-in.js';
export * from './update-connection.js';

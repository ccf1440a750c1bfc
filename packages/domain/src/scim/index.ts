/** SCIM directory provisioning: users, groups and the tokens the identity provider uses (S1–S4). */
export * from './authenticate-token.js';
export * from './create-token.js';
export * from './directory-groups.js';
export * from './directory-users.js';
export * from './list-tokens.js';
export * from './revoke-token.js';
export * from './rotate-token.js';
export * from './token-view.js';

/** Test and development helpers of `@gatehouse/sso`: a real OpenID Provider on loopback. */
export { type DevIdp, type DevIdpAccount, type DevIdpOptions, startDevIdp } from './dev-idp.js';

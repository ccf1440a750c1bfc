/** @gatehouse/sso — single sign-on routes (`/sso`) for Gatehouse: OpenID Connect and SAML 2.0. */
export { createSsoHandler, type SsoOptions, STATE_COOKIE } from './router.js';

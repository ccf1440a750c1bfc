/** @gatehouse/sso — single sign-on routes (`/sso`) for Gatehouse: OpenID Connect. */
export { createSsoHandler, type SsoOptions, STATE_COOKIE } from './router.js';

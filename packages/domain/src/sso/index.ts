/** Single sign-on (I1, I2): OIDC and SAML connections per org, sign-ins with just-in-time provisioning. */
export * from './attempts.js';
export * from './connection-view.js';
export * from './create-connection.js';
export * from './create-saml-connection.js';
export * from './delete-connection.js';
export * from './exchange.js';
export * from './group-mappings.js';
export { idpFetchOf } from './idp-fetch.js';
export * from './list-connections.js';
export { oidcIssuerProblem } from './oidc-issuer.js';
export type { SsoPlan, SsoProfile, SsoRefusal } from './plan.js';
export { isPublicAddress } from './public-address.js';
export {
  NonPublicAddressError,
  nonPublicAddressIn,
  publicNetworkFetch,
} from './public-network-fetch.js';
export { redirectAllowed, setSsoRedirectUris } from './redirect-uris.js';
export * from './refresh-saml-metadata.js';
export * from './refusals.js';
export * from './saml-acs.js';
export {
  parseSamlIdpMetadata,
  type SamlCertificateView,
  type SamlIdpMetadata,
} from './saml-metadata.js';
export * from './saml-metadata-job.js';
export {
  checkSamlMetadataUrl,
  type FetchedSamlMetadata,
  fetchSamlMetadata,
} from './saml-metadata-url.js';
export type { SamlSettingsInput } from './saml-settings.js';
export * from './sign-in.js';
export * from './sign-in-options.js';
export * from './sweep.js';
export * from './test-sign-in.js';
export * from './update-connection.js';
export * from './update-saml-connection.js';

/** The long-lived things every use case needs: the database and the engine cache. */
import { PresetRegistry } from '@gatehouse/core';
import type { DB } from '@gatehouse/db';
import type { TxtResolver } from './domains/index.js';
import { EngineCache } from './engine/index.js';
import { PresetStore } from './rules/index.js';

/** Deployment settings some use cases need (links in emails, password policy, the clock). */
export interface ServiceOptions {
  /**
   * Base URL of links sent by email (`GATEHOUSE_PUBLIC_URL`); a function when it is only known
   * once the server listens. Default `http://127.0.0.1:4000`.
   */
  readonly publicUrl?: string | (() => string) | undefined;
  /** True when the deployment signs people in with passwords: accepting an invitation sets one. */
  readonly passwords?: boolean | undefined;
  /**
   * The most memory org engines may hold in this process (`GATEHOUSE_ENGINE_CACHE_MB`); the least
   * recently used org's engine is dropped first and loaded again on its next check. Default 512 MiB.
   */
  readonly engineCacheBytes?: number | undefined;
  /**
   * How long a password sign-in waits for its second factor (`sessions.completeMfaLogin`);
   * default 5 minutes.
   */
  readonly mfaChallengeTtlMs?: number | undefined;
  /** How long a user session lasts after login (`GATEHOUSE_SESSION_TTL_MINUTES`); default 12 h. */
  readonly sessionTtlMs?: number | undefined;
  /**
   * Failed logins per email address within `loginWindowMs` before its logins are refused
   * (`GATEHOUSE_LOGIN_MAX_FAILURES`); default 10, 0 turns the throttle off.
   */
  readonly loginMaxFailures?: number | undefined;
  /** The window failed logins are counted in (`GATEHOUSE_LOGIN_WINDOW_MINUTES`); default 15 min. */
  readonly loginWindowMs?: number | undefined;
  /**
   * How long a password reset link works (`GATEHOUSE_PASSWORD_RESET_TTL_MINUTES`); default 30
   * minutes.
   */
  readonly passwordResetTtlMs?: number | undefined;
  /**
   * Reset links one email address may be sent through the public "forgot password" request within
   * `passwordResetWindowMs` (`GATEHOUSE_PASSWORD_RESET_MAX_PER_EMAIL`); default 3, 0 turns this
   * limit off. Requests past it get the same answer and send nothing.
   */
  readonly passwordResetMaxPerEmail?: number | undefined;
  /**
   * Reset links public requests from one client address may send within the window
   * (`GATEHOUSE_PASSWORD_RESET_MAX_PER_IP`); default 20, 0 off.
   */
  readonly passwordResetMaxPerIp?: number | undefined;
  /** The window those two limits count in; default 1 hour. */
  readonly passwordResetWindowMs?: number | undefined;
  /** The clock for expiry (tests move it); default `() => new Date()`. */
  readonly now?: (() => Date) | undefined;
  /**
   * HMAC key signing audit retention checkpoints (`GATEHOUSE_AUDIT_SIGNING_KEY`, at least 32
   * characters). Unset: that environment variable, else a key generated once and stored in
   * `instance_secrets` (see audit-signing.ts for what each choice protects against).
   */
  readonly auditSigningKey?: string | undefined;
  /**
   * Key encrypting one-time links while their email waits to be sent (`GATEHOUSE_SECRET_KEY`, at
   * least 32 characters). Unset: that environment variable, else a key generated once and stored
   * in `instance_secrets` (see secret-box.ts). The email delivery worker must use the same.
   */
  readonly secretKey?: string | undefined;
  /**
   * The presets organizations may be created on and resolved by: the built-ins plus the
   * deployment's own (`GATEHOUSE_PRESETS`). Default: the built-ins only.
   */
  readonly presets?: PresetRegistry | undefined;
  /**
   * Looks up the TXT records that verify domains (I3): the server's is built from
   * `GATEHOUSE_DNS_SERVERS`; default Node's resolver on the system's DNS servers.
   */
  readonly dnsResolver?: TxtResolver | undefined;
  /**
   * How long a verified domain stays verified before it is checked again
   * (`GATEHOUSE_DOMAIN_RECHECK_SECONDS`); default 24 hours.
   */
  readonly domainRecheckIntervalMs?: number | undefined;
  /**
   * Consecutive failed re-checks after which a verified domain goes back to `failed` and its
   * policies stop applying (`GATEHOUSE_DOMAIN_RECHECK_MAX_FAILURES`); default 3.
   */
  readonly domainRecheckMaxFailures?: number | undefined;
  /**
   * Allow `http:` IdP documents (`GATEHOUSE_SSO_ALLOW_HTTP=1`): OIDC issuers and SAML metadata
   * URLs Gatehouse fetches. Tests and local development only; default https only.
   */
  readonly ssoAllowHttp?: boolean | undefined;
  /**
   * Allow IdP URLs on private networks (`GATEHOUSE_SSO_ALLOW_PRIVATE_NETWORK=1`): loopback,
   * RFC 1918, link-local, unique local… Default off: Gatehouse connects to public addresses only
   * when it fetches an IdP document or calls an IdP (./sso/public-network-fetch.ts), so an org
   * admin cannot make the server reach its own network. Tests and development (the dev IdP).
   */
  readonly ssoAllowPrivateNetwork?: boolean | undefined;
  /**
   * How Gatehouse fetches IdP documents (OIDC discovery at connection creation, SAML metadata
   * URLs); default a `fetch` that connects to public addresses only (the global `fetch` with
   * `ssoAllowPrivateNetwork`). Tests without a network give one that refuses.
   */
  readonly ssoFetch?: typeof fetch | undefined;
  /** How long one such fetch may take; default 10 s. */
  readonly ssoFetchTimeoutMs?: number | undefined;
  /**
   * Issue 15 group commit (`GATEHOUSE_GROUP_COMMIT=0` turns it off): concurrent `orgWrite`s on
   * one org in this process share one transaction and one revision, each in its own savepoint
   * (./group-commit.ts). Default on.
   */
  readonly groupCommit?: boolean | undefined;
}

/** Shared dependencies of the use cases. */
export interface Services {
  readonly db: DB;
  readonly engines: EngineCache;
  /** The built-in and in-memory presets (`options.presets`, else the built-ins). */
  readonly presets: PresetRegistry;
  /** Resolves an org's preset: the registry's, or a stored version (`preset apply`). */
  readonly presetStore: PresetStore;
  /** Deployment settings; absent means the defaults. */
  readonly options?: ServiceOptions | undefined;
}

/** Services over a database. */
export function createServices(db: DB, options: ServiceOptions = {}): Services {
  const presets = options.presets ?? PresetRegistry.withBuiltIns();
  const presetStore = new PresetStore(presets);
  const engines = new EngineCache(db, presetStore, { maxBytes: options.engineCacheBytes });
  return { db, engines, presets, presetStore, options };
}

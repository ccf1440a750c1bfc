/** Server configuration from the environment, validated once at start-up. */

import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { EmailDeliveryTuning } from './email-delivery.js';

/** Everything the server process reads from its environment. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** `postgres://…`, or undefined for PGlite. */
  readonly databaseUrl: string | undefined;
  /** PGlite data folder (ignored with databaseUrl); `memory` for an in-memory database. */
  readonly dataDir: string | undefined;
  readonly adminKey: string | undefined;
  /** Seed a demo organization on first start. */
  readonly seedDemo: boolean;
  readonly logLevel: string;
  /** Base URL of links in emails (`GATEHOUSE_PUBLIC_URL`); default the server's own URL. */
  readonly publicUrl?: string | undefined;
  /** `smtp://…` or `smtps://…` (`SMTP_URL`); unset: emails, links included, go to the log (development). */
  readonly smtpUrl?: string | undefined;
  /** Sender of emails (`GATEHOUSE_MAIL_FROM`). */
  readonly mailFrom?: string | undefined;
  /** People sign in with passwords (`GATEHOUSE_PASSWORDS=1`): accepting an invitation sets one. */
  readonly passwords?: boolean | undefined;
  /** Email delivery tuning (tests): poll interval, retry backoff, attempts, lease. */
  readonly emailDelivery?: EmailDeliveryTuning | undefined;
  /**
   * Time between automatic audit retention passes (`GATEHOUSE_AUDIT_PRUNE_INTERVAL_SECONDS`);
   * default an hour; 0 turns the worker off.
   */
  readonly auditPruneIntervalMs?: number | undefined;
  /** How long a user session lasts (`GATEHOUSE_SESSION_TTL_MINUTES`); default 12 hours. */
  readonly sessionTtlMs?: number | undefined;
  /**
   * Failed logins per email address within the window before its logins are refused
   * (`GATEHOUSE_LOGIN_MAX_FAILURES`); default 10, 0 off.
   */
  readonly loginMaxFailures?: number | undefined;
  /**
   * Server processes sharing the port (`GATEHOUSE_WORKERS`, node:cluster); PostgreSQL only.
   * Default 1, or the number of CPUs when `NODE_ENV=production` and DATABASE_URL is set.
   */
  readonly workers?: number | undefined;
  /** Memory org engines may hold, in bytes (`GATEHOUSE_ENGINE_CACHE_MB`); default 512 MiB. */
  readonly engineCacheBytes?: number | undefined;
  /**
   * Issue 15 group commit of concurrent writes on one org (`GATEHOUSE_GROUP_COMMIT`, `0` turns
   * it off); default on.
   */
  readonly groupCommit?: boolean | undefined;
  /** The window failed logins are counted in (`GATEHOUSE_LOGIN_WINDOW_MINUTES`); default 15. */
  readonly loginWindowMs?: number | undefined;
  /** How long a password reset link works (`GATEHOUSE_PASSWORD_RESET_TTL_MINUTES`); default 30. */
  readonly passwordResetTtlMs?: number | undefined;
  /**
   * Reset links "forgot password" sends one email address per hour
   * (`GATEHOUSE_PASSWORD_RESET_MAX_PER_EMAIL`); default 3, 0 off.
   */
  readonly passwordResetMaxPerEmail?: number | undefined;
  /**
   * Reset links "forgot password" requests from one client address send per hour
   * (`GATEHOUSE_PASSWORD_RESET_MAX_PER_IP`); default 20, 0 off (behind a reverse proxy every
   * request has the proxy's address).
   */
  readonly passwordResetMaxPerIp?: number | undefined;
  /** Largest `/trpc` request body in bytes (`GATEHOUSE_API_MAX_BODY`); default 4 MiB. */
  readonly apiMaxBodyBytes?: number | undefined;
  /**
   * Which route answers permission reads (`direct`, the default; `lean`; `trpc`, tRPC's adapter
   * for every call). Not an environment setting: benchmarks compare the three.
   */
  readonly apiReadRoute?: 'direct' | 'lean' | 'trpc' | undefined;
  /** Largest `/scim/v2` request body in bytes (`GATEHOUSE_SCIM_MAX_BODY`); default 1 MiB. */
  readonly scimMaxBodyBytes?: number | undefined;
  /**
   * Time a client has to send a whole request, headers and body
   * (`GATEHOUSE_REQUEST_TIMEOUT_SECONDS`); default 30 s. Past it the server answers 408 and
   * closes the connection.
   */
  readonly requestTimeoutMs?: number | undefined;
  /** Time a client has to send a request's headers (`GATEHOUSE_HEADERS_TIMEOUT_SECONDS`); default 10 s. */
  readonly headersTimeoutMs?: number | undefined;
  /**
   * Failed credentials (keys, tokens, logins) from one client address within the window before
   * it is refused with 429 (`GATEHOUSE_AUTH_MAX_FAILURES_PER_ADDRESS`); default 50, 0 off.
   */
  readonly authMaxFailuresPerAddress?: number | undefined;
  /**
   * Failed credentials with one key prefix (`cli_…`, `sct_…`, `ses_…`) within the window before
   * that prefix is refused (`GATEHOUSE_AUTH_MAX_FAILURES_PER_KEY`); default 10, 0 off.
   */
  readonly authMaxFailuresPerKey?: number | undefined;
  /** The window they are counted in (`GATEHOUSE_AUTH_FAILURE_WINDOW_SECONDS`); default 300. */
  readonly authFailureWindowMs?: number | undefined;
  /**
   * Files of the deployment's own presets (`GATEHOUSE_PRESETS`, comma-separated): paths, or
   * paths whose file name holds `*` or `?` (`./presets/*.json`); relative to the working folder.
   * Read and validated at start, next to the built-in presets.
   */
  readonly presetFiles?: readonly string[] | undefined;
  /**
   * DNS servers domain verification asks (`GATEHOUSE_DNS_SERVERS`, comma-separated `host` or
   * `host:port`, `[v6]:port`); unset: the system's.
   */
  readonly dnsServers?: readonly string[] | undefined;
  /** Time one DNS query waits for an answer (`GATEHOUSE_DNS_TIMEOUT_SECONDS`); default 5 s. */
  readonly dnsTimeoutMs?: number | undefined;
  /**
   * Time between re-checks of a verified domain (`GATEHOUSE_DOMAIN_RECHECK_SECONDS`);
   * default 24 hours; 0 turns the re-verification worker off.
   */
  readonly domainRecheckIntervalMs?: number | undefined;
  /**
   * Consecutive failed re-checks that send a verified domain back to `failed`
   * (`GATEHOUSE_DOMAIN_RECHECK_MAX_FAILURES`); default 3.
   */
  readonly domainRecheckMaxFailures?: number | undefined;
  /**
   * Allow SSO connections to `http:` issuers (`GATEHOUSE_SSO_ALLOW_HTTP=1`): tests and local
   * development only (the dev IdP). Off by default: every issuer must be https.
   */
  readonly ssoAllowHttp?: boolean | undefined;
  /**
   * Allow SSO connections to IdPs on private networks (`GATEHOUSE_SSO_ALLOW_PRIVATE_NETWORK=1`):
   * loopback, RFC 1918, link-local, unique local… Tests and local development only (the dev IdP
   * implies it). Off by default: Gatehouse connects to IdPs on public addresses only, so that an
   * org admin cannot make the server reach its own network (SSRF).
   */
  readonly ssoAllowPrivateNetwork?: boolean | undefined;
  /**
   * Time between two fetches of a SAML connection's IdP metadata URL by the background refresh
   * (`GATEHOUSE_SAML_METADATA_REFRESH_SECONDS`); unset or 0: no background refresh.
   */
  readonly samlMetadataRefreshMs?: number | undefined;
  /**
   * The instance's SSO redirect allowlist (`GATEHOUSE_SSO_REDIRECT_URIS`, comma-separated,
   * exact URIs), beside each org's own (`sso.setRedirectUris`).
   */
  readonly ssoRedirectUris?: readonly string[] | undefined;
  /**
   * Development: start a real OpenID Provider next to the server and connect the demo org to it
   * (`GATEHOUSE_DEV_IDP=1`; `/sso/dev` to click through a sign-in). Implies plain-http issuers.
   */
  readonly devIdp?: boolean | undefined;
  /** The dev IdP's port (`GATEHOUSE_DEV_IDP_PORT`); default any free port. */
  readonly devIdpPort?: number | undefined;
}

/**
 * Reads `HOST`, `PORT`, `DATABASE_URL`, `GATEHOUSE_DATA_DIR`, `GATEHOUSE_ADMIN_KEY`, `GATEHOUSE_DEMO`,
 * `LOG_LEVEL`, `GATEHOUSE_PUBLIC_URL`, `SMTP_URL`, `GATEHOUSE_MAIL_FROM`, `GATEHOUSE_PASSWORDS`,
 * `GATEHOUSE_AUDIT_PRUNE_INTERVAL_SECONDS`, `GATEHOUSE_SESSION_TTL_MINUTES`,
 * `GATEHOUSE_LOGIN_MAX_FAILURES`, `GATEHOUSE_LOGIN_WINDOW_MINUTES`,
 * `GATEHOUSE_PASSWORD_RESET_TTL_MINUTES`, `GATEHOUSE_PASSWORD_RESET_MAX_PER_EMAIL`,
 * `GATEHOUSE_PASSWORD_RESET_MAX_PER_IP`, `GATEHOUSE_API_MAX_BODY`,
 * `GATEHOUSE_SCIM_MAX_BODY`, `GATEHOUSE_REQUEST_TIMEOUT_SECONDS`,
 * `GATEHOUSE_HEADERS_TIMEOUT_SECONDS`, `GATEHOUSE_AUTH_MAX_FAILURES_PER_ADDRESS`,
 * `GATEHOUSE_AUTH_MAX_FAILURES_PER_KEY`, `GATEHOUSE_AUTH_FAILURE_WINDOW_SECONDS`,
 * `GATEHOUSE_PRESETS`, `GATEHOUSE_DNS_SERVERS`, `GATEHOUSE_DNS_TIMEOUT_SECONDS`,
 * `GATEHOUSE_DOMAIN_RECHECK_SECONDS`, `GATEHOUSE_DOMAIN_RECHECK_MAX_FAILURES`,
 * `GATEHOUSE_SSO_ALLOW_HTTP`, `GATEHOUSE_SSO_ALLOW_PRIVATE_NETWORK`, `GATEHOUSE_SSO_REDIRECT_URIS`,
 * `GATEHOUSE_SAML_METADATA_REFRESH_SECONDS`, `GATEHOUSE_DEV_IDP`, `GATEHOUSE_DEV_IDP_PORT`, `GATEHOUSE_ENGINE_CACHE_MB`, `GATEHOUSE_GROUP_COMMIT`,
 * `GATEHOUSE_WORKERS`.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a number from 0 to 65535, got "${env.PORT}"`);
  }
  const dataDir = env.GATEHOUSE_DATA_DIR ?? resolve(process.cwd(), '.gatehouse', 'data');
  const databaseUrl = env.DATABASE_URL || undefined;
  const workers =
    intFromEnv(env, 'GATEHOUSE_WORKERS', 1) ??
    (env.NODE_ENV === 'production' && databaseUrl ? availableParallelism() : 1);
  if (workers > 1 && !databaseUrl) {
    throw new Error(
      `GATEHOUSE_WORKERS=${workers} needs PostgreSQL (DATABASE_URL): the embedded database (PGlite) belongs to one process; leave GATEHOUSE_WORKERS unset or 1 on it`,
    );
  }
  return {
    workers,
    host: env.HOST ?? '127.0.0.1',
    port,
    databaseUrl,
    dataDir: dataDir === 'memory' ? undefined : dataDir,
    adminKey: env.GATEHOUSE_ADMIN_KEY || undefined,
    seedDemo: env.GATEHOUSE_DEMO !== '0',
    logLevel: env.LOG_LEVEL ?? 'info',
    publicUrl: urlFromEnv(env, 'GATEHOUSE_PUBLIC_URL', ['http:', 'https:']),
    smtpUrl: urlFromEnv(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: env.GATEHOUSE_MAIL_FROM || undefined,
    passwords: /^(1|true|yes)$/i.test(env.GATEHOUSE_PASSWORDS ?? ''),
    auditPruneIntervalMs: msFromEnv(env, 'GATEHOUSE_AUDIT_PRUNE_INTERVAL_SECONDS', 1000, 0),
    sessionTtlMs: msFromEnv(env, 'GATEHOUSE_SESSION_TTL_MINUTES', 60_000, 1),
    loginMaxFailures: intFromEnv(env, 'GATEHOUSE_LOGIN_MAX_FAILURES', 0),
    engineCacheBytes: bytesFromMiB(intFromEnv(env, 'GATEHOUSE_ENGINE_CACHE_MB', 1)),
    groupCommit: !/^(0|false|no|off)$/i.test(env.GATEHOUSE_GROUP_COMMIT ?? ''),
    loginWindowMs: msFromEnv(env, 'GATEHOUSE_LOGIN_WINDOW_MINUTES', 60_000, 1),
    passwordResetTtlMs: msFromEnv(env, 'GATEHOUSE_PASSWORD_RESET_TTL_MINUTES', 60_000, 1),
    passwordResetMaxPerEmail: intFromEnv(env, 'GATEHOUSE_PASSWORD_RESET_MAX_PER_EMAIL', 0),
    passwordResetMaxPerIp: intFromEnv(env, 'GATEHOUSE_PASSWORD_RESET_MAX_PER_IP', 0),
    apiMaxBodyBytes: bytesFromEnv(env, 'GATEHOUSE_API_MAX_BODY'),
    scimMaxBodyBytes: bytesFromEnv(env, 'GATEHOUSE_SCIM_MAX_BODY'),
    requestTimeoutMs: msFromEnv(env, 'GATEHOUSE_REQUEST_TIMEOUT_SECONDS', 1000, 1),
    headersTimeoutMs: msFromEnv(env, 'GATEHOUSE_HEADERS_TIMEOUT_SECONDS', 1000, 1),
    authMaxFailuresPerAddress: intFromEnv(env, 'GATEHOUSE_AUTH_MAX_FAILURES_PER_ADDRESS', 0),
    authMaxFailuresPerKey: intFromEnv(env, 'GATEHOUSE_AUTH_MAX_FAILURES_PER_KEY', 0),
    authFailureWindowMs: msFromEnv(env, 'GATEHOUSE_AUTH_FAILURE_WINDOW_SECONDS', 1000, 1),
    presetFiles: (env.GATEHOUSE_PRESETS ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== ''),
    dnsServers: dnsServersFromEnv(env),
    dnsTimeoutMs: msFromEnv(env, 'GATEHOUSE_DNS_TIMEOUT_SECONDS', 1000, 0.01),
    domainRecheckIntervalMs: msFromEnv(env, 'GATEHOUSE_DOMAIN_RECHECK_SECONDS', 1000, 0),
    domainRecheckMaxFailures: intFromEnv(env, 'GATEHOUSE_DOMAIN_RECHECK_MAX_FAILURES', 1),
    ssoAllowHttp: /^(1|true|yes)$/i.test(env.GATEHOUSE_SSO_ALLOW_HTTP ?? ''),
    ssoAllowPrivateNetwork: /^(1|true|yes)$/i.test(env.GATEHOUSE_SSO_ALLOW_PRIVATE_NETWORK ?? ''),
    samlMetadataRefreshMs: msFromEnv(env, 'GATEHOUSE_SAML_METADATA_REFRESH_SECONDS', 1000, 0),
    ssoRedirectUris: (env.GATEHOUSE_SSO_REDIRECT_URIS ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u !== ''),
    devIdp: /^(1|true|yes)$/i.test(env.GATEHOUSE_DEV_IDP ?? ''),
    devIdpPort: intFromEnv(env, 'GATEHOUSE_DEV_IDP_PORT', 0),
  };
}

/** `GATEHOUSE_DNS_SERVERS`: addresses Node's resolver accepts; undefined when unset. */
function dnsServersFromEnv(env: NodeJS.ProcessEnv): string[] | undefined {
  const list = (env.GATEHOUSE_DNS_SERVERS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (list.length === 0) return undefined;
  if (!list.every(isDnsServer)) {
    throw new Error(
      `GATEHOUSE_DNS_SERVERS must be comma-separated IP addresses, each with an optional port (127.0.0.1:5353, [::1]:53), got "${env.GATEHOUSE_DNS_SERVERS}"`,
    );
  }
  return list;
}

/** An IP address, `v4:port` or `[v6]:port`, with a port from 1 to 65535. */
function isDnsServer(server: string): boolean {
  if (isIP(server) !== 0) return true;
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(server);
  if (!m) return false;
  const host = m[1] ?? m[2]!;
  const port = Number(m[3]);
  return isIP(host) === (m[1] ? 6 : 4) && port >= 1 && port <= 65535;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kib: 1024,
  kb: 1024,
  k: 1024,
  mib: 1024 ** 2,
  mb: 1024 ** 2,
  m: 1024 ** 2,
};

/** A size in bytes: `1048576`, `512KiB`, `1MiB` (k/kb/KiB and m/mb/MiB count 1024); undefined when unset. */
function bytesFromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  const unit = m ? BYTE_UNITS[m[2]!.toLowerCase()] : undefined;
  const n = m && unit ? Math.floor(Number(m[1]) * unit) : Number.NaN;
  if (!Number.isFinite(n) || n < 1) {
    throw new Error(`${name} must be a size such as 1048576, 512KiB or 1MiB, got "${raw}"`);
  }
  return n;
}

/** A whole number of at least `min`; undefined when unset. */
function intFromEnv(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`${name} must be a whole number of at least ${min}, got "${raw}"`);
  }
  return n;
}

const bytesFromMiB = (mib: number | undefined) =>
  mib === undefined ? undefined : mib * 1024 * 1024;

/** A duration of at least `min` units of `unitMs`, in milliseconds; undefined when unset. */
function msFromEnv(
  env: NodeJS.ProcessEnv,
  name: string,
  unitMs: number,
  min: number,
): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) {
    throw new Error(`${name} must be a number of at least ${min}, got "${raw}"`);
  }
  return Math.round(n * unitMs);
}

function urlFromEnv(
  env: NodeJS.ProcessEnv,
  name: string,
  protocols: readonly string[],
): string | undefined {
  const value = env[name];
  if (!value) return undefined;
  const protocol = URL.canParse(value) ? new URL(value).protocol : null;
  if (!protocol || !protocols.includes(protocol)) {
    const allowed = protocols.map((p) => `${p}//`).join(' or ');
    // The value is not echoed: SMTP_URL may carry a password.
    throw new Error(`${name} must be a URL starting with ${allowed}`);
  }
  return value;
}

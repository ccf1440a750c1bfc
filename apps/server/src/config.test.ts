import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';
import { httpTimeouts } from './http-timeouts.js';

describe('edge settings from the environment', () => {
  it('reads body limits as bytes or KiB/MiB, and refuses other values with the variable named', () => {
    expect(configFromEnv({}).apiMaxBodyBytes).toBeUndefined();
    expect(configFromEnv({ GATEHOUSE_API_MAX_BODY: '2048' }).apiMaxBodyBytes).toBe(2048);
    expect(configFromEnv({ GATEHOUSE_SCIM_MAX_BODY: '512KiB' }).scimMaxBodyBytes).toBe(524_288);
    expect(configFromEnv({ GATEHOUSE_SCIM_MAX_BODY: '2mb' }).scimMaxBodyBytes).toBe(2_097_152);
    expect(() => configFromEnv({ GATEHOUSE_API_MAX_BODY: 'lots' })).toThrow(
      'GATEHOUSE_API_MAX_BODY must be a size such as 1048576, 512KiB or 1MiB, got "lots"',
    );
    expect(() => configFromEnv({ GATEHOUSE_SCIM_MAX_BODY: '0' })).toThrow(
      /GATEHOUSE_SCIM_MAX_BODY/,
    );
  });

  it('reads timeouts and throttle limits; 0 turns a throttle off', () => {
    const c = configFromEnv({
      GATEHOUSE_REQUEST_TIMEOUT_SECONDS: '20',
      GATEHOUSE_HEADERS_TIMEOUT_SECONDS: '5',
      GATEHOUSE_AUTH_MAX_FAILURES_PER_ADDRESS: '0',
      GATEHOUSE_AUTH_MAX_FAILURES_PER_KEY: '3',
      GATEHOUSE_AUTH_FAILURE_WINDOW_SECONDS: '60',
    });
    expect(c).toMatchObject({
      requestTimeoutMs: 20_000,
      headersTimeoutMs: 5000,
      authMaxFailuresPerAddress: 0,
      authMaxFailuresPerKey: 3,
      authFailureWindowMs: 60_000,
    });
    expect(() => configFromEnv({ GATEHOUSE_REQUEST_TIMEOUT_SECONDS: '0' })).toThrow(
      /GATEHOUSE_REQUEST_TIMEOUT_SECONDS must be a number of at least 1/,
    );
    expect(() => configFromEnv({ GATEHOUSE_AUTH_MAX_FAILURES_PER_KEY: '-1' })).toThrow(
      /GATEHOUSE_AUTH_MAX_FAILURES_PER_KEY/,
    );
  });

  it('issue 12: reads GATEHOUSE_PRESETS as a comma-separated list of files or patterns', () => {
    expect(configFromEnv({}).presetFiles).toEqual([]);
    expect(
      configFromEnv({ GATEHOUSE_PRESETS: ' a.json , ./presets/*.json,, ' }).presetFiles,
    ).toEqual(['a.json', './presets/*.json']);
  });

  it('I3: reads the DNS servers and the domain re-verification settings; refuses bad ones naming the variable', () => {
    expect(configFromEnv({})).toMatchObject({
      dnsServers: undefined,
      dnsTimeoutMs: undefined,
      domainRecheckIntervalMs: undefined,
      domainRecheckMaxFailures: undefined,
    });
    expect(
      configFromEnv({
        GATEHOUSE_DNS_SERVERS: '127.0.0.1:5353, [::1]:53,8.8.8.8',
        GATEHOUSE_DNS_TIMEOUT_SECONDS: '0.5',
        GATEHOUSE_DOMAIN_RECHECK_SECONDS: '0',
        GATEHOUSE_DOMAIN_RECHECK_MAX_FAILURES: '5',
      }),
    ).toMatchObject({
      dnsServers: ['127.0.0.1:5353', '[::1]:53', '8.8.8.8'],
      dnsTimeoutMs: 500,
      domainRecheckIntervalMs: 0,
      domainRecheckMaxFailures: 5,
    });
    for (const [name, value] of [
      ['GATEHOUSE_DNS_SERVERS', 'dns.example.com'],
      ['GATEHOUSE_DNS_SERVERS', '127.0.0.1:99999'],
      ['GATEHOUSE_DNS_TIMEOUT_SECONDS', '0'],
      ['GATEHOUSE_DOMAIN_RECHECK_SECONDS', '-1'],
      ['GATEHOUSE_DOMAIN_RECHECK_MAX_FAILURES', '0'],
      ['GATEHOUSE_SAML_METADATA_REFRESH_SECONDS', 'hourly'],
    ] as const) {
      expect(() => configFromEnv({ [name]: value })).toThrow(name);
    }
  });

  it('reads the SAML metadata refresh interval: unset or 0 is off', () => {
    expect(configFromEnv({}).samlMetadataRefreshMs).toBeUndefined();
    expect(
      configFromEnv({ GATEHOUSE_SAML_METADATA_REFRESH_SECONDS: '0' }).samlMetadataRefreshMs,
    ).toBe(0);
    expect(
      configFromEnv({ GATEHOUSE_SAML_METADATA_REFRESH_SECONDS: '3600' }).samlMetadataRefreshMs,
    ).toBe(3_600_000);
  });

  it('keeps the headers timeout within the request timeout, checked often enough', () => {
    expect(httpTimeouts({})).toEqual({
      requestTimeout: 30_000,
      headersTimeout: 10_000,
      connectionsCheckingInterval: 1000,
    });
    expect(httpTimeouts({ requestTimeoutMs: 2000, headersTimeoutMs: 5000 })).toMatchObject({
      requestTimeout: 2000,
      headersTimeout: 2000,
    });
  });
});

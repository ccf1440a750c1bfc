import { describe, expect, it } from 'vitest';
import { bearerOf, CredentialThrottle, keyPrefixOf } from './credential-throttle.js';

describe('CredentialThrottle', () => {
  it('refuses an address past its limit until the oldest failure leaves the window', () => {
    let t = 1_000_000;
    const th = new CredentialThrottle(
      { maxPerAddress: 3, maxPerKey: 0, windowMs: 60_000 },
      () => t,
    );
    const from = { address: '10.0.0.1' };
    for (let i = 0; i < 3; i++) {
      expect(th.check(from)).toBeNull();
      th.fail(from);
      t += 1000;
    }
    const refused = th.check(from);
    expect(refused).toMatchObject({ scope: 'address', retryAfterSeconds: 57 });
    expect(refused?.message).toMatch(/try again in 57 second/);
    expect(th.check({ address: '10.0.0.2' })).toBeNull();
    t += 57_000;
    expect(th.check(from)).toBeNull();
  });

  it('refuses a key prefix from any address, and is off at 0', () => {
    const th = new CredentialThrottle({ maxPerAddress: 0, maxPerKey: 2, windowMs: 60_000 });
    th.fail({ address: 'a', keyPrefix: 'cli_x' });
    th.fail({ address: 'b', keyPrefix: 'cli_x' });
    expect(th.check({ address: 'c', keyPrefix: 'cli_x' })?.scope).toBe('key');
    expect(th.check({ address: 'a', keyPrefix: 'cli_y' })).toBeNull();
    const off = new CredentialThrottle({ maxPerAddress: 0, maxPerKey: 0, windowMs: 60_000 });
    off.fail({ address: 'a', keyPrefix: 'cli_x' });
    expect(off.check({ address: 'a', keyPrefix: 'cli_x' })).toBeNull();
  });

  it('tracks a bounded number of addresses', () => {
    const th = new CredentialThrottle({
      maxPerAddress: 1,
      maxPerKey: 0,
      windowMs: 60_000,
      maxTracked: 2,
    });
    th.fail({ address: 'a' });
    th.fail({ address: 'b' });
    th.fail({ address: 'c' });
    expect(th.check({ address: 'a' })).toBeNull();
    expect(th.check({ address: 'c' })).not.toBeNull();
  });
});

describe('keyPrefixOf / bearerOf', () => {
  it('takes the record id of `<id>.<secret>` credentials only', () => {
    expect(keyPrefixOf('cli_abc123.s3cr3t')).toBe('cli_abc123');
    expect(keyPrefixOf('ses_9z.x')).toBe('ses_9z');
    expect(keyPrefixOf('test-admin-key')).toBeUndefined();
    expect(keyPrefixOf('.x')).toBeUndefined();
    expect(bearerOf('Bearer abc')).toBe('abc');
    expect(bearerOf('Basic abc')).toBeUndefined();
    expect(bearerOf(undefined)).toBeUndefined();
  });
});

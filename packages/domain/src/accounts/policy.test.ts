/**
 * Issue 14: the password policy (NIST SP 800-63B §5.1.1.2): a length, the bundled list of the
 * 10,000 most common passwords (case-insensitive), not the email nor its local part, and no
 * composition rules. Pure: no database.
 */
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.js';
import { checkPasswordPolicy, commonPasswords, hashPassword } from '../rules/index.js';

function refusal(password: string, email?: string): string | null {
  try {
    checkPasswordPolicy(password, { email });
    return null;
  } catch (e) {
    if (e instanceof DomainError && e.code === 'INVALID') return e.message;
    throw e;
  }
}

describe('issue 14 password policy', () => {
  it('issue 14 ships the 10,000 most common passwords, read once into a set', () => {
    const list = commonPasswords();
    expect(list.size).toBe(10_000);
    expect(commonPasswords()).toBe(list);
    for (const p of ['123456', 'password', 'qwerty', 'iloveyou', 'password1', 'baseball']) {
      expect(list.has(p), p).toBe(true);
    }
  });

  it('issue 14 refuses short, overlong and common passwords (any case) and the email or its local part, saying why', () => {
    expect(refusal('short1!')).toBe('the password must have at least 8 characters');
    expect(refusal('x'.repeat(257))).toBe('the password must have at most 256 characters');
    for (const common of ['password1', 'PassWord1', 'QWERTYUIOP', 'sunshine', '12345678']) {
      expect(refusal(common), common).toMatch(/one of the 10,000 most common passwords/);
    }
    const email = 'Ana.Lopez-1970@Acme.test';
    expect(refusal('ana.lopez-1970@acme.test', email)).toBe(
      'the password must not be your email address or the part before its @',
    );
    expect(refusal('ANA.LOPEZ-1970', email)).toBe(
      'the password must not be your email address or the part before its @',
    );
  });

  it('issue 14 has no composition rules: a long lower-case passphrase, digits only or a symbol soup pass', () => {
    for (const ok of [
      'correct horse battery staple',
      'plumbing otter saxophone',
      '83920174659',
      '€ü*ß§(¿)',
      'x'.repeat(256),
    ]) {
      expect(refusal(ok, 'ana@acme.test'), ok).toBeNull();
    }
    expect(refusal('ana.lopez-1970-and-more', 'ana.lopez-1970@acme.test')).toBeNull();
  });

  it('issue 14 hashing a password asks the policy too', async () => {
    await expect(hashPassword('password1')).rejects.toMatchObject({ code: 'INVALID' });
  });
});

/** I3: what counts as a domain an org may claim, in the one form it is stored and compared in. */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { invalid } from '../errors.js';

/** Longest domain name (RFC 1035 §2.3.4, without the final dot). */
export const DOMAIN_MAX = 253;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The domain as stored: trimmed, one final dot dropped, lower-cased, internationalized names in
 * punycode (IDNA, `münchen.de` → `xn--mnchen-3ya.de`; malformed punycode refused). Throws INVALID, saying why, for anything
 * that is not a registrable host name: a wildcard, an IP address, a single label, a label that
 * is empty, longer than 63 or holds other than letters, digits and inner hyphens, an all-digit
 * top-level label, or more than 253 characters.
 *
 * @example
 * normalizeDomain(' Acme.COM. '); // 'acme.com'
 * normalizeDomain('*.acme.com'); // throws INVALID
 */
export function normalizeDomain(input: string): string {
  let d = input.trim();
  if (d.endsWith('.')) d = d.slice(0, -1);
  if (d === '') throw invalid('domain must not be empty');
  if (d.includes('*')) throw invalid(`${shown(d)} is a wildcard: claim each domain by its name`);
  if (d.includes('@') || d.includes('/') || d.includes(':')) {
    throw invalid(`${shown(d)} is not a domain name: give only the domain, such as acme.com`);
  }
  if (isIP(d) !== 0) throw invalid(`${shown(d)} is an IP address, not a domain name`);
  // IDNA (UTS #46): lower-cases, turns Unicode labels into punycode, and refuses malformed
  // punycode (`xn--zz`) and all-digit top-level labels with an empty answer.
  const ascii = domainToASCII(d);
  if (ascii === '') throw invalid(`${shown(d)} is not a valid domain name`);
  if (ascii.length > DOMAIN_MAX) {
    throw invalid(`a domain name has at most ${DOMAIN_MAX} characters`);
  }
  const labels = ascii.split('.');
  if (labels.length < 2) {
    throw invalid(`${shown(d)} is a single label: a domain has at least two, such as acme.com`);
  }
  for (const label of labels) {
    if (!LABEL.test(label)) {
      throw invalid(
        `${shown(d)} is not a valid domain name: each dot-separated part has 1 to 63 letters, digits or inner hyphens`,
      );
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) {
    throw invalid(`${shown(d)} ends in a number: it is not a domain name`);
  }
  return ascii;
}

/** The input as an error message quotes it: at most 80 characters. */
function shown(d: string): string {
  return JSON.stringify(d.length > 80 ? `${d.slice(0, 80)}…` : d);
}

/**
 * Which IP addresses are public: the only ones Gatehouse connects to when it fetches a URL an org
 * admin typed in (an OIDC issuer, a SAML metadata URL), so that such a URL cannot reach the
 * server's own network (server-side request forgery): loopback, the private ranges, link-local
 * (169.254.169.254 is the cloud metadata service), carrier-grade NAT, multicast, reserved.
 * IPv6 addresses that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible
 * `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::`) are judged by that address.
 * Ranges from the IANA special-purpose registries (RFC 6890 and its updates).
 */
import { BlockList, isIP } from 'node:net';

/** IPv4 ranges that are not public: [network, prefix length, why]. */
const NON_PUBLIC_V4 = [
  ['0.0.0.0', 8, '"this network" (0.0.0.0 reaches the host itself)'],
  ['10.0.0.0', 8, 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'carrier-grade NAT (RFC 6598)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata services)'],
  ['172.16.0.0', 12, 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved (and 255.255.255.255, broadcast)'],
] as const;

/** IPv6 ranges that are not public, besides the IPv4 ones embedded in IPv6. */
const NON_PUBLIC_V6 = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['64:ff9b:1::', 48, 'local-use NAT64 (RFC 8215)'],
  ['100::', 64, 'discard-only'],
  ['2001::', 32, 'Teredo (carries an obfuscated IPv4 address)'],
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'unique local (private)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (deprecated)'],
  ['ff00::', 8, 'multicast'],
] as const;

/** IPv6 prefixes that embed an IPv4 address right after them: [prefix, its length]. */
const V4_IN_V6 = [
  ['::ffff:', 96], // IPv4-mapped
  ['::', 96], // IPv4-compatible (deprecated)
  ['64:ff9b::', 96], // NAT64 well-known prefix
] as const;

const blockList = buildBlockList();

function buildBlockList(): BlockList {
  const list = new BlockList();
  for (const [net, prefix] of NON_PUBLIC_V4) {
    list.addSubnet(net, prefix, 'ipv4');
    for (const [v6, at] of V4_IN_V6) list.addSubnet(`${v6}${net}`, at + prefix, 'ipv6');
    // 6to4 (RFC 3056): 2002:AABB:CCDD::/48 carries a.b.c.d in its second and third groups.
    list.addSubnet(sixToFour(net), 16 + prefix, 'ipv6');
  }
  for (const [net, prefix] of NON_PUBLIC_V6) list.addSubnet(net, prefix, 'ipv6');
  return list;
}

/** `a.b.c.d` as the 6to4 prefix `2002:aabb:ccdd::`. */
function sixToFour(v4: string): string {
  const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
  const hex = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
  return `2002:${hex(a, b)}:${hex(c, d)}::`;
}

/** An address as written in a URL host (`[::1]`) or with a zone (`fe80::1%eth0`), bare. */
export function bareAddress(host: string): string {
  const unbracketed = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const zone = unbracketed.indexOf('%');
  return zone === -1 ? unbracketed : unbracketed.slice(0, zone);
}

/**
 * Whether `address` (an IPv4 or IPv6 address, as `net`, `dns.lookup` or a URL host give it) is
 * a public unicast address Gatehouse may connect to on an org admin's word. Anything that is not
 * an IP address is not public.
 *
 * @example
 * isPublicAddress('93.184.215.14'); // true
 * isPublicAddress('169.254.169.254'); // false: link-local, the cloud metadata service
 * isPublicAddress('[::ffff:127.0.0.1]'); // false: loopback, IPv4-mapped
 */
export function isPublicAddress(address: string): boolean {
  const bare = bareAddress(address);
  const family = isIP(bare);
  if (family === 0) return false;
  return !blockList.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

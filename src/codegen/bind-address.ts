// Checks of what a user types for the generator: a bind address that can go into C, Python and JavaScript
// string literals, and values shown in one-line messages.
import { isIPv4, isIPv6 } from 'node:net';

/** An IPv4 literal as --bind takes it (dotted quad). */
export function isIPv4Literal(a: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(a);
}

/** An IPv6 literal as --bind takes it (a host name or IPv4 address has no ':'). */
export function isIPv6Literal(a: string): boolean {
  return a.includes(':');
}

/** A value as it can appear in a one-line message: as typed when printable ASCII (not empty, no space at either end), else JSON-quoted (and cut). */
export function showValue(v: string): string {
  const cut = v.length > 80 ? `${v.slice(0, 80)}...` : v;
  // Empty, or with a space at either end: quoted, so the message shows what was given.
  return /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(cut) ? cut : JSON.stringify(cut);
}

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens; not all-numeric at the end. */
function isHostName(a: string): boolean {
  const h = a.endsWith('.') ? a.slice(0, -1) : a;
  if (h.length === 0 || h.length > 253) return false;
  const labels = h.split('.');
  if (!labels.every((l) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l))) return false;
  return !/^\d+$/.test(labels[labels.length - 1]);
}

/**
 * Whether `a` may be bound: an IPv4 address, an IPv6 address (with an optional %zone such as
 * fe80::1%eth0), or a host name. The address is written into C, Python and JavaScript string
 * literals, so this is also what keeps control characters, quotes, backslashes and C trigraphs
 * (??/ is a backslash under -std=c11) out of the generated source.
 */
export function isBindAddress(a: string): boolean {
  if (isIPv4(a)) return true;
  const zone = /^([0-9A-Fa-f:.]+)%([A-Za-z0-9_.-]{1,64})$/.exec(a);
  if (zone) return isIPv6(zone[1]);
  if (isIPv6(a)) return true;
  return !a.includes(':') && isHostName(a);
}

/** The IPv6 address `a` (without its zone) in Node's normal form (lower case, zeros compressed), or null. */
function normalIPv6(a: string): string | null {
  const bare = a.replace(/%.*$/, '');
  if (!isIPv6(bare)) return null;
  return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
}

/**
 * The IPv4 address an IPv4-mapped IPv6 address (::ffff:a.b.c.d, in any spelling) stands for, or null. An
 * IPv6-only socket (IPV6_V6ONLY=1, what --ipv6 generates) cannot bind one: EINVAL on Linux.
 */
export function mappedIPv4(a: string): string | null {
  const n = normalIPv6(a);
  const m = n === null ? null : /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(n);
  if (!m) return null;
  const hi = parseInt(m[1], 16);
  const lo = parseInt(m[2], 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** Whether `a` is an IPv6 link-local address (fe80::/10) written without a %zone: bind needs the interface (EINVAL without). */
export function isUnzonedLinkLocal(a: string): boolean {
  if (a.includes('%')) return false;
  const n = normalIPv6(a);
  return n !== null && /^fe[89ab][0-9a-f]:/.test(n);
}

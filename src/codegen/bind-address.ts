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

/** A value as it can appear in a one-line message: as typed when printable ASCII, else JSON-quoted (and cut). */
export function showValue(v: string): string {
  const cut = v.length > 80 ? `${v.slice(0, 80)}...` : v;
  return /^[\x20-\x7e]*$/.test(cut) ? cut : JSON.stringify(cut);
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

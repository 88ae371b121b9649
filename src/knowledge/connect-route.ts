// How a route reads in a report, and which addresses are groups rather than hosts.
import { isIP } from 'node:net';
import type { RouteInfo } from '../parse/ip-route.js';

/** What a route type that rejects traffic means, in a few words. */
export const REJECTING: Record<string, string> = {
  blackhole: 'a blackhole route discards traffic to it',
  prohibit: 'a prohibit route forbids traffic to it',
  unreachable: 'an unreachable route rejects traffic to it',
  throw: 'a throw route ends the lookup without a route',
  none: 'no route to it',
};

/** One line: how the route goes. */
export function describeRoute(r: RouteInfo): string {
  if (r.ok === null) return `unknown: ${r.error}`;
  if (!r.ok) return `no usable route: ${r.type && REJECTING[r.type] && r.type !== 'none' ? `${REJECTING[r.type]} (${r.error})` : r.error}`;
  if (r.type === 'local') return `local address (delivered on ${r.dev ?? 'lo'})`;
  if (r.type === 'broadcast') return `broadcast address${r.dev ? ` of the network on ${r.dev}` : ''} (not one host)`;
  if (r.type === 'multicast') return `multicast address${r.dev ? ` (on ${r.dev})` : ''} (not one host)`;
  return `${r.via ? `via gateway ${r.via}` : 'directly connected'}${r.dev ? ` on ${r.dev}` : ''}${r.src ? `, source ${r.src}` : ''}`;
}

/** IPv4 224.0.0.0/4 or IPv6 ff00::/8: a group, not a host. */
export function isMulticast(address: string): boolean {
  const a = address.replace(/%.*$/, '').toLowerCase();
  if (isIP(a) === 4) return Number(a.split('.')[0]) >= 224 && Number(a.split('.')[0]) <= 239;
  return isIP(a) === 6 && a.startsWith('ff');
}

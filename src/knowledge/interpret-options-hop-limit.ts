// IP_TTL / IPV6_UNICAST_HOPS against the hop limit a socket that did not set it reads (interpret-options.ts
// meaningOf): the system default, or for a connected IPv6 socket its route's (collect/route-hop-limit.ts reads it).
import { parseIpRouteGet } from '../parse/ip-route.js';
import { escapeControl } from '../model/escape.js';
import { isLinkLocal } from '../model/socket.js';
import { bareAddress, endpointHost } from './host-port.js';
import type { OptionContext } from './interpret-options.js';

/**
 * The extraSysctls entry holding the route to a connected IP socket's peer (`ip route get`'s text, read in the
 * socket's network namespace by collect/route-hop-limit.ts; null when it could not be read).
 */
export const PEER_ROUTE_KEY = 'ip route get <peer>';

/** The sysctl name of an interface's IPv6 hop limit, as sysctl writes it (a '.' in the name becomes '/'). */
export function interfaceHopLimitSysctl(dev: string): string {
  return `net.ipv6.conf.${dev.replace(/\./g, '/')}.hop_limit`;
}

/** A sysctl of the context as a number, when it was read. */
function sysctlNumber(c: OptionContext, n: string): number | undefined {
  const x = c.extraSysctls[n]?.trim();
  return x && /^\d+$/.test(x) ? Number(x) : undefined;
}

/**
 * IP_TTL (or IPV6_UNICAST_HOPS, read in its place on IPv6) against what getsockopt returns for a socket that did not
 * set it, as read in the socket's network namespace. IPv4: net.ipv4.ip_default_ttl, whatever the route (its packets
 * carry the route's hoplimit metric when it has one). IPv6 (ipv6_sockglue.c): a socket with a cached route (connected
 * or accepted) reads ip6_dst_hoplimit() of it, the route's hoplimit metric else the outgoing interface's
 * net.ipv6.conf.<dev>.hop_limit; one without (a listener, an unconnected socket, or a connected one whose cached
 * route was dropped) net.ipv6.conf.all.hop_limit. conf.default only seeds new interfaces. A listener's SYN-ACKs carry
 * its value, and the connections it accepts inherit it.
 */
export function hopLimit(v: number, c: OptionContext): { meaning: string; unusual?: string } {
  const v6 = c.readAs === 'IPV6_UNICAST_HOPS';
  const name = v6 ? 'IPV6_UNICAST_HOPS' : 'IP_TTL';
  if (v < 0) return { meaning: 'the default hop limit (-1: the route\'s, else the interface\'s net.ipv6.conf.*.hop_limit)' };
  const meaning = `outgoing ${v6 ? 'IPv6' : 'IPv4'} packets start with a hop limit of ${v}`;
  const listener = c.state === 'LISTEN';
  // A socket with a cached route: connected (TCP in any state but LISTEN and CLOSE, connected UDP). State unknown: maybe.
  const routed = c.state === undefined || (!listener && c.state !== 'CLOSE');
  const routeText = c.extraSysctls[PEER_ROUTE_KEY];
  const route = routed && c.peer && routeText ? routeText : undefined;
  const metric = route ? /\bhoplimit (\d+)/.exec(route)?.[1] : undefined;
  const dev = route ? parseIpRouteGet(route).dev : undefined;
  const routeName = route ? `the route to the peer (${escapeControl(route)})` : '';
  const who = listener ? 'its SYN-ACKs, and every packet of the connections it accepts (they inherit it),' : 'its packets';
  const effect = (reference: number) =>
    v === 1
      ? `${who} never get past the first router: only peers on the local link can ${listener ? 'connect' : 'be reached'}`
      : v < reference
        ? `${who} cross at most ${v - 1} routers: a peer farther away ${listener ? 'cannot connect' : 'is not reached'} (the router that drops them sends ICMP time exceeded back)`
        : 'set on this socket (255 is the GTSM convention of BGP and LDP peers, RFC 5082)';

  if (!v6) {
    const n = 'net.ipv4.ip_default_ttl';
    const d = sysctlNumber(c, n);
    if (d === undefined) return { meaning: `${meaning} (the system default, ${n}, could not be read)` };
    // getsockopt(IP_TTL) of an unset socket returns ip_default_ttl even where the route's metric sets its packets' TTL.
    if (v === d)
      return { meaning: `${meaning}; the system default ${n}${metric !== undefined ? `, which a socket that did not set IP_TTL reads; its packets then start with ${routeName}'s hoplimit ${metric} instead` : ''}` };
    if (metric !== undefined && v === Number(metric)) return { meaning: `${meaning}; set on this socket to the hoplimit of ${routeName}, which its packets would carry anyway` };
    return { meaning, unusual: `IP_TTL ${v} differs from the system default (${n}=${d}): ${effect(metric !== undefined ? Number(metric) : d)}` };
  }

  const allName = 'net.ipv6.conf.all.hop_limit';
  const all = sysctlNumber(c, allName);
  if (!routed) {
    if (all === undefined) return { meaning: `${meaning} (the system default, ${allName}, could not be read)` };
    if (v === all) return { meaning: `${meaning}; the system default ${allName}` };
    return { meaning, unusual: `${name} ${v} differs from the system default (${allName}=${all}): ${effect(all)}` };
  }
  // The default of a socket with a cached route is the route's (metric, else its device's hop_limit).
  const devName = dev ? interfaceHopLimitSysctl(dev) : undefined;
  const devValue = devName ? sysctlNumber(c, devName) : undefined;
  const routeDefault =
    metric !== undefined ? { x: Number(metric), n: `the hoplimit of ${routeName}` } : devName && devValue !== undefined ? { x: devValue, n: `${devName}=${devValue}: ${routeName} has no hoplimit metric and goes out of ${escapeControl(dev!)}` } : undefined;
  if (!routeDefault) {
    // A link-local peer without its zone (another namespace's procfs view) and no bound device: which link is unknown.
    const why = !c.peer ? ' (the peer is unknown)' : zonelessLinkLocal(c.peer) ? ' (the peer is link-local and its zone, the interface it is reached on, is unknown)' : '';
    return {
      meaning: `${meaning}; the default of a connected socket depends on its route (the route's hoplimit metric, else the outgoing interface's net.ipv6.conf.<dev>.hop_limit), which could not be read${why}, so it is not judged`,
    };
  }
  if (v === routeDefault.x) return { meaning: `${meaning}; the default for its route: ${routeDefault.n}` };
  if (all !== undefined && v === all) return { meaning: `${meaning}; ${allName}, what a socket that did not set it reads while it has no cached route` };
  return { meaning, unusual: `${name} ${v} differs from the default for its route (${routeDefault.n}): ${effect(routeDefault.x)}` };
}

/** A link-local peer endpoint written without its zone ("[fe80::1]:80", as another namespace's procfs gives it). */
function zonelessLinkLocal(endpoint: string): boolean {
  const host = endpointHost(endpoint);
  return !host.includes('%') && isLinkLocal(bareAddress(host));
}

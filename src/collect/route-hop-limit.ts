// What getsockopt(IPV6_UNICAST_HOPS) returns for a connected IPv6 socket that never set it: ip6_dst_hoplimit() of its
// cached route, i.e. the route's hoplimit metric, else the outgoing interface's net.ipv6.conf.<dev>.hop_limit (which
// Router Advertisements set), not conf.all's (net/ipv6/ipv6_sockglue.c, net/ipv6/output_core.c). Measured in a
// namespace with lo.hop_limit=20 and all.hop_limit=33: a listener on ::1 reads 33, its client and accepted socket 20,
// a UDP socket connected over a route with `hoplimit 7` reads 7. getsockopt(IP_TTL) of an unset IPv4 socket returns
// net.ipv4.ip_default_ttl whatever the route (measured: 64 over a route with hoplimit 7), though its packets carry
// the route's metric (ip4_dst_hoplimit). The route is read here, in the socket's network namespace, for interpret-options.
import { isIP } from 'node:net';
import { PEER_ROUTE_KEY, interfaceHopLimitSysctl } from '../knowledge/interpret-options-hop-limit.js';
import { bareAddress, endpointHost, zoneOf } from '../knowledge/host-port.js';
import { isLinkLocal } from '../model/socket.js';
import { parseIpRouteGet } from '../parse/ip-route.js';
import { run } from './exec.js';

/** SO_BINDTODEVICE ('' when unbound) and SO_MARK as read on the socket (getsockopt.ts), as RouteKeys. */
export function routeKeysOf(readings: readonly { name: string; value?: unknown }[]): RouteKeys {
  const dev = readings.find((r) => r.name === 'SO_BINDTODEVICE')?.value;
  const mark = readings.find((r) => r.name === 'SO_MARK')?.value;
  return { ...(typeof dev === 'string' && dev ? { device: dev } : {}), ...(typeof mark === 'number' && mark ? { mark } : {}) };
}

/** The socket as inspect-options knows it (InspectResult.socket). */
interface SocketFacts {
  family?: string;
  state?: string;
  local?: string;
  peer?: string;
}

/** What else selects the socket's route: the device it is bound to (SO_BINDTODEVICE) and its SO_MARK, when known. */
export interface RouteKeys {
  device?: string;
  mark?: number;
}

/**
 * The route to a connected IP socket's peer (`ip route get PEER [from LOCAL] [oif DEV] [mark MARK]`, in the namespace
 * at `nsPath` through nsenter --net when the process is in another one) and, for an IPv6 peer, its device's hop_limit,
 * as extra sysctls entries: PEER_ROUTE_KEY (the route's text, null when it could not be read) and
 * net.ipv6.conf.<dev>.hop_limit. DEV is the device the socket is bound to (`keys.device`: SO_BINDTODEVICE, which a
 * connect or accept with a link-local peer sets too), else the peer's zone; without either a link-local peer's route
 * is not guessed (the first fe80::/64 route would be another link's). A v4-mapped peer (::ffff:a.b.c.d) is routed as
 * IPv4. Nothing for a listener, a socket without a peer, or a non-IP socket. `missing` says why the route is unknown.
 * `readSysctl` reads the device's hop_limit in that namespace (getsockopt.ts: here under procRoot, or from what
 * sysctlsFor read there already).
 */
export async function routeHopLimitFacts(s: SocketFacts, nsPath: string | undefined, keys: RouteKeys, readSysctl: (name: string) => Promise<string | null>): Promise<{ extra: Record<string, string | null>; missing?: string }> {
  if ((s.family !== 'inet' && s.family !== 'inet6') || !s.peer || s.state === 'LISTEN' || s.state === 'CLOSE') return { extra: {} };
  const peer = endpointHost(s.peer);
  const address = bareAddress(peer);
  const family = isIP(address);
  if (family === 0) return { extra: {} };
  // bareAddress writes a v4-mapped address as IPv4: such a peer's packets are IPv4, routed and judged as such.
  const args = [family === 6 ? '-6' : '-4', 'route', 'get', address];
  const local = s.local ? bareAddress(endpointHost(s.local)) : '';
  if (local && isIP(local) === family && local !== '::' && local !== '0.0.0.0') args.push('from', local);
  const zone = zoneOf(peer);
  const oif = keys.device || (zone !== undefined && !/^\d+$/.test(zone) ? zone : undefined);
  if (oif) args.push('oif', oif);
  if (keys.mark) args.push('mark', String(keys.mark));
  const where = nsPath ? ` in the network namespace ${nsPath}` : '';
  if (!oif && family === 6 && isLinkLocal(address))
    return { extra: { [PEER_ROUTE_KEY]: null }, missing: `the peer ${address} is link-local and its zone (the interface it is reached on) is unknown${where}, so its route and the default hop limit of this connected socket are unknown` };
  const inNs = (argv: string[]) => (nsPath ? run('nsenter', [`--net=${nsPath}`, '--', ...argv], { timeoutMs: 5000 }) : run(argv[0], argv.slice(1), { timeoutMs: 5000 }));
  let route: string;
  let dev: string | undefined;
  try {
    const r = await inNs(['ip', ...args]);
    route = r.stdout.trim().replace(/\s+/g, ' ');
    dev = parseIpRouteGet(r.stdout).dev;
    if (r.exitCode !== 0 || !route) throw new Error(r.stderr.trim().split('\n')[0] || `exit code ${r.exitCode}`);
  } catch (e) {
    return { extra: { [PEER_ROUTE_KEY]: null }, missing: `the route to the peer (ip ${args.join(' ')}${where}) could not be read (${(e as Error).message}), so the default hop limit of this connected socket is unknown` };
  }
  const extra: Record<string, string | null> = { [PEER_ROUTE_KEY]: route };
  if (family === 6 && dev && dev !== '.' && dev !== '..' && !dev.includes('/')) {
    const name = interfaceHopLimitSysctl(dev);
    extra[name] = await readSysctl(name);
  }
  return { extra };
}

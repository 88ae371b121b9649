// Pure interpretation of a `sockscope try` call against the host's state: who holds the port, TIME_WAIT and
// SO_REUSEADDR, privileged ports, backlog against somaxconn, and connect/sendto errors. The types are in
// interpret-try-types.ts; beside this file: which sockets can conflict with the address (interpret-try-address.ts),
// EADDRINUSE (interpret-try-in-use.ts), who holds a socket (interpret-try-holder.ts), sendto (interpret-try-sendto.ts).
import { sendtoFailure, unzonedLinkLocal } from './interpret-try-sendto.js';
import { who } from './interpret-try-holder.js';
import { addressInUse } from './interpret-try-in-use.js';
import { autobindExhausted, portZeroExhausted } from './interpret-try-ephemeral.js';
import { isV4, relevantHolders, sameAddress, splitZone } from './interpret-try-address.js';
import { explainErrno } from './errno.js';
import { diagnoseConnectError } from './interpret-connect.js';
import { udpDelivery } from './udp-delivery.js';
import { isLinkLocal, isLoopback } from '../model/socket.js';
import { bareAddress, endpointHost, ipFamily } from './host-port.js';
import type { TryContext, TryInterpretation } from './interpret-try-types.js';

export type { PortHolder, TryContext, TryInterpretation } from './interpret-try-types.js';
export { holderState, relevantHolders } from './interpret-try-address.js';
export { holderAt } from './interpret-try-holder.js';

/** Explains the outcome of one tried call. */
export function interpretTry(c: TryContext): TryInterpretation {
  const details: string[] = [];
  const next: string[] = [];
  // Only sockets whose local address overlaps ours can conflict (same address, or a wildcard on either side).
  const relevant = relevantHolders(c.holders, c.target);
  const listeners = relevant.filter((h) => h.state === 'LISTEN' || (h.state === 'CLOSE' && (c.op === 'sendto' || c.udp === true)));
  const tw = relevant.filter((h) => h.state === 'TIME_WAIT');
  const others = relevant.filter((h) => h.state !== 'LISTEN' && h.state !== 'TIME_WAIT');

  if (c.ok) {
    if (c.op === 'bind' || c.op === 'listen') {
      let summary = `${c.op === 'listen' ? 'bind + listen' : 'bind'} on ${c.target} succeeded${c.local && c.local !== c.target ? ` (bound ${c.local})` : ''}; the socket was closed at once`;
      // Sockets listening on the same address and port are ones this socket shared the port with (SO_REUSEPORT).
      const sharing = c.reuseport ? relevant.filter((h) => h.state === 'LISTEN' && sameAddress(h, c.target)) : [];
      if (sharing.length) summary += `; with SO_REUSEPORT it shared port ${c.port} with ${sharing.map((h) => (h.processes.length ? who(h) : `the listener on ${h.local}`)).join(', ')}`;
      if (tw.length && c.reuseaddr) details.push(`${tw.length} TIME_WAIT socket(s) on port ${c.port}: SO_REUSEADDR let bind() through`);
      else if (tw.length) details.push(`${tw.length} TIME_WAIT socket(s) on port ${c.port} did not block this bind`);
      if (c.op === 'listen' && c.backlogRequested !== undefined) {
        const eff = c.backlogEffective;
        const cap = c.somaxconn;
        if (eff !== undefined) details.push(`effective backlog ${eff} (the listener's Send-Q as the kernel reports it); requested ${c.backlogRequested}; net.core.somaxconn ${cap ?? 'unknown'}`);
        if (cap != null && c.backlogRequested > cap) {
          summary += `, but the backlog was cut from ${c.backlogRequested} to ${eff ?? cap} by net.core.somaxconn`;
          next.push(`sysctl -w net.core.somaxconn=${c.backlogRequested} (and persist it in /etc/sysctl.d/) to get the backlog you ask for`);
        }
      }
      return { ok: true, summary, details, nextSteps: next };
    }
    if (c.op === 'connect') return { ok: true, summary: `connect to ${c.target} succeeded in ${(c.connectMs ?? 0).toFixed(1)} ms${c.local ? ` (from ${c.local})` : ''}; closed at once`, details, nextSteps: next };
    // A link-local address without its zone: where the kernel sent it (sin6_scope_id 0), after the outcome.
    const ll = unzonedLinkLocal(c);
    if (ll) next.push(...ll.steps);
    const zone = ll ? `; ${ll.note}` : '';
    // This host: the receiving socket's drop counter says what sendto() cannot (it returns once the kernel has the datagram).
    const delivery = c.udpSockets ? udpDelivery(c.udpSockets, endpointHost(c.target)) : undefined;
    if (delivery?.dropped.length)
      return {
        ok: false,
        summary: `sendto ${c.target}: the kernel accepted ${c.sent ?? 0} bytes, but ${delivery.summary}${zone}`,
        details: [...delivery.details, 'sendto() succeeds whether or not the receiver has room: on this host a full receive buffer drops the datagram silently (counted in its drops, ss -uam d, and in UdpRcvbufErrors)'],
        nextSteps: [...delivery.steps, ...next],
      };
    if (delivery)
      return {
        ok: true,
        summary: `sendto ${c.target}: the kernel accepted ${c.sent ?? 0} bytes and no ICMP error came back within ${c.timeoutMs ?? 1000} ms; ${delivery.summary}${zone}`,
        details: [...delivery.details, 'whether the program reads it and answers is up to it: UDP gives no delivery confirmation'],
        nextSteps: next,
      };
    return {
      ok: true,
      summary: `sendto ${c.target}: the kernel accepted ${c.sent ?? 0} bytes and no ICMP error came back within ${c.timeoutMs ?? 1000} ms${zone}`,
      details: ['UDP gives no delivery confirmation: a silent drop (firewall, no listener behind a filter) looks the same as success', ...(listeners.length ? [`a UDP socket on this host is bound to port ${c.port}: ${listeners.map(who).join('; ')}`] : [])],
      nextSteps: next,
    };
  }

  const errno = c.errno ?? 'EIO';
  let meaning: string | undefined;
  try {
    meaning = explainErrno(errno).matches[0]?.meaning;
  } catch {
    meaning = undefined;
  }
  if (meaning) details.push(`${errno}: ${meaning}`);

  // Port 0: the kernel picks a free port of the ephemeral range; EADDRINUSE means none is left (no socket is "on port 0").
  if ((c.op === 'bind' || c.op === 'listen') && errno === 'EADDRINUSE' && c.port === 0) return portZeroExhausted(c, details);
  if ((c.op === 'bind' || c.op === 'listen') && errno === 'EADDRINUSE') return addressInUse(c, { listeners, tw, others }, details);

  if ((c.op === 'bind' || c.op === 'listen') && errno === 'EACCES') {
    const start = c.unprivilegedPortStart;
    if (start != null && c.port < start && c.uid !== 0 && !c.hasNetBindService) {
      return {
        ok: false,
        summary: `port ${c.port} is privileged: ports below net.ipv4.ip_unprivileged_port_start=${start} need root or CAP_NET_BIND_SERVICE, and this process runs as uid ${c.uid} without it`,
        details,
        nextSteps: [
          'sudo setcap cap_net_bind_service=+ep /path/to/server (give the binary the capability)',
          'systemd: AmbientCapabilities=CAP_NET_BIND_SERVICE in the service unit',
          `sysctl -w net.ipv4.ip_unprivileged_port_start=${c.port} (lower the limit host-wide)`,
          `listen on a port >= ${start} and redirect (iptables -t nat ... REDIRECT, or a reverse proxy)`,
        ],
      };
    }
    return { ok: false, summary: `bind to ${c.target} was denied (EACCES)${start != null ? `; port ${c.port} is not below ip_unprivileged_port_start=${start}, so a security module (SELinux, AppArmor) or a BPF cgroup hook refused it` : ''}`, details, nextSteps: ['check the audit log (ausearch -m avc, journalctl -k) for a denial'] };
  }

  if ((c.op === 'bind' || c.op === 'listen') && errno === 'EADDRNOTAVAIL') {
    // IPv6 has its own sysctl: net.ipv4.ip_nonlocal_bind does not apply to AF_INET6 (ipv6_can_nonlocal_bind() reads
    // net.ipv6.ip_nonlocal_bind; test/cli/try-netns). A link-local address is one interface's (hostAddresses has it with
    // its zone, written as the target's is): another zone does not find it; on its own zone it is not usable yet.
    // Compared in canonical form (bareAddress): fe80:0::77 and FE80::77 are fe80::77.
    const v6 = !isV4(endpointHost(c.target));
    const { address: written, zone } = splitZone(c.target);
    const address = bareAddress(written);
    const zones = zone === undefined ? [] : (c.hostAddresses ?? []).filter((a) => a.includes('%') && bareAddress(a) === address).map((a) => a.slice(a.indexOf('%') + 1));
    const iface = (z: string) => (/^\d+$/.test(z) ? `interface index ${z}` : z);
    // This host lists the address (on the zone's interface, for a link-local one), yet bind() refuses it: IPv6 duplicate
    // address detection has not passed it (tentative) or failed (dadfailed); addressState says which when ip could tell.
    const listed = zone !== undefined ? zones.includes(zone) : v6 && (c.hostAddresses ?? []).some((a) => !a.includes('%') && bareAddress(a) === address);
    if (listed) return notUsableYet(c, address, zone, details);
    if (zone !== undefined && zones.length) return { ok: false, summary: `${address} is not an address of ${iface(zone)}: it belongs to another interface, ${zones.map(iface).join(', ')} (a link-local address is one link's; the zone says which)`, details, nextSteps: [`sockscope try ${c.op} '[${address}%${zones[0]}]:${c.port}'   (${address} on ${iface(zones[0])})`, 'ip -br -6 addr show scope link   (the link-local addresses and their interfaces)'] };
    // No address of the family at all (IPv6 disabled): binding anyway (IP_FREEBIND) would give a socket nobody reaches.
    if (v6 && c.connectFacts?.loopbackV6Disabled) {
      return {
        ok: false,
        summary: `${c.target.replace(/:\d+$/, '')} is not an address of this host: IPv6 is disabled on lo (net.ipv6.conf.lo.disable_ipv6=1), so lo has no ::1; other interfaces keep their IPv6 addresses`,
        details,
        nextSteps: ['sysctl -w net.ipv6.conf.lo.disable_ipv6=0   (IPv6 on lo again: ::1 comes back)', `or ${c.op} 127.0.0.1: sockscope try ${c.op} 127.0.0.1:${c.port}`],
      };
    }
    const none = c.connectFacts?.noSourceFamily;
    if (v6 && none?.family === 6) {
      const instead = isLoopback(address) ? '127.0.0.1' : address === '::' ? '0.0.0.0' : '0.0.0.0 (every IPv4 address) or an IPv4 address of this host';
      return {
        ok: false,
        summary: `${c.target.replace(/:\d+$/, '')} is not an address of this host: this host has no IPv6 address: ${none.disabled ? 'IPv6 is disabled (net.ipv6.conf.all.disable_ipv6=1)' : 'no IPv6 address is configured on any interface'}`,
        details,
        nextSteps: [
          ...(none.disabled !== false ? ['sysctl net.ipv6.conf.all.disable_ipv6 net.ipv6.conf.default.disable_ipv6 net.ipv6.conf.lo.disable_ipv6   (1: IPv6 off; sysctl -w NAME=0 turns it on)'] : ['ip -6 addr   (no address listed: add one, ip -6 addr add ADDR dev IFACE)']),
          `or ${c.op} ${instead}${isLoopback(address) || address === '::' ? `: sockscope try ${c.op} ${instead}:${c.port}` : ''}`,
        ],
      };
    }
    const summary = `${c.target.replace(/:\d+$/, '')} is not an address of this host${c.hostAddresses?.length ? ` (this host has ${c.hostAddresses.join(', ')})` : ''}`;
    const nonlocal = v6 ? 'net.ipv6.ip_nonlocal_bind=1 (IPv6 has its own switch; net.ipv4.ip_nonlocal_bind does not apply)' : 'net.ipv4.ip_nonlocal_bind=1';
    return { ok: false, summary, details, nextSteps: [`bind ${v6 ? ':: (every IPv6 address)' : '0.0.0.0 (every IPv4 address)'}, or one this host has (ip -br addr)`, `to bind an address before it is configured: IP_FREEBIND on the socket, or sysctl ${nonlocal}`] };
  }

  // An IPV6_V6ONLY socket takes IPv6 only: the kernel refuses it an IPv4-mapped address (__inet6_bind), EINVAL.
  if ((c.op === 'bind' || c.op === 'listen') && errno === 'EINVAL') {
    const mapped = v4MappedV6only(c, details);
    if (mapped) return mapped;
  }

  // An IPv6 link-local address exists once per link: without a scope id (the interface) the kernel cannot pick one.
  const host = endpointHost(c.target);
  if (errno === 'EINVAL' && isLinkLocal(host) && !host.includes('%')) {
    // The interface, from this host's link-local addresses (fe80::1%eth0): for bind the one with that address, for a
    // peer the link of the on-link fe80::/64, when only one interface has it; else IFACE, and the candidates said.
    const zoned = (c.hostAddresses ?? []).filter((a) => a.includes('%') && (c.op !== 'bind' || bareAddress(a) === bareAddress(host)));
    const links = [...new Set(zoned.map((a) => a.slice(a.indexOf('%') + 1)))];
    const on = links.length === 1 ? links[0] : 'IFACE';
    const why = links.length === 1 ? ` (${on}: ${c.op === 'bind' ? 'the interface with that address' : 'the only interface with a link-local address, fe80::/64 on-link'})` : links.length ? ` (IFACE: the link it is on, one of ${links.join(', ')})` : '';
    return {
      ok: false,
      summary: `${host} is an IPv6 link-local address (fe80::/10): ${c.op} needs its scope id, the interface it belongs to, as in [${host}%${on}]:${c.port}${why}`,
      details,
      nextSteps: ['ip -br -6 addr show scope link   (the link-local addresses and their interfaces)', `sockscope try ${c.op} '[${host}%${on}]:${c.port}'`],
    };
  }

  if (c.op === 'connect') {
    const d = diagnoseConnectError(errno, { ...c.connectFacts, ...(c.hostAddresses ? { hostAddresses: c.hostAddresses } : {}), address: c.target.replace(/^\[|\]?:\d+$/g, ''), port: c.port, timeoutMs: c.timeoutMs });
    return { ok: false, summary: d.summary, details: [...details.filter((x) => !d.meaning || !x.includes(d.meaning))].concat(d.meaning ? [`${errno}: ${d.meaning}`] : []), nextSteps: d.nextSteps };
  }
  if (c.op === 'sendto') {
    // A link-local address without its zone: where the kernel sent it, said after the failure as after a success.
    const ll = unzonedLinkLocal(c);
    const zoned = (r: TryInterpretation): TryInterpretation => (ll ? { ...r, summary: `${r.summary}; ${ll.note}`, nextSteps: [...r.nextSteps, ...ll.steps] } : r);
    // EAGAIN from a blocking socket's sendto: its automatic bind found no free ephemeral port. No zone note: the
    // send failed before the kernel looked up a route, so it chose no interface.
    if (errno === 'EAGAIN' || errno === 'EWOULDBLOCK') return autobindExhausted(c);
    const sent = sendtoFailure(c, errno, details);
    return zoned(sent ?? { ok: false, summary: `${c.failedCall ?? c.op} failed with ${errno}`, details, nextSteps: [] });
  }
  return { ok: false, summary: `${c.failedCall ?? c.op} failed with ${errno}`, details, nextSteps: [] };
}

/**
 * A bind of an IPv6 address this host lists that failed with EADDRNOTAVAIL: duplicate address detection has not passed
 * it (tentative) or it failed (dadfailed: another host on the link has it). `zone`: the target's, when it has one.
 */
function notUsableYet(c: TryContext, address: string, zone: string | undefined, details: string[]): TryInterpretation {
  const st = c.addressState;
  // The interface by name, for commands (a zone may be an index); said as the zone was written otherwise.
  const dev = st?.dev ?? (zone !== undefined && !/^\d+$/.test(zone) ? zone : undefined);
  const where = dev ? `is on ${dev}` : zone !== undefined ? `is on interface index ${zone}` : 'is an address of this host';
  const show = `ip -6 addr show${dev ? ` dev ${dev}` : ''}   (tentative or dadfailed next to ${address})`;
  if (st?.state === 'dadfailed')
    return {
      ok: false,
      summary: `${address} ${where} but unusable: dadfailed: duplicate address detection found another host on the link with it, so the kernel never uses it`,
      details,
      nextSteps: [show, `tcpdump -eni ${dev ?? 'IFACE'} 'icmp6 and ip6[40] == 136'   (while the address is added again: the other host's neighbour advertisement for it, with its MAC)`, `give one of the two hosts another address (ip -6 addr del ${address}/PREFIX dev ${dev ?? 'IFACE'}; ip -6 addr add NEW/PREFIX dev ${dev ?? 'IFACE'})`],
    };
  const dad = `duplicate address detection runs for net.ipv6.conf.${dev ?? 'IFACE'}.dad_transmits probes, 1 s apart by default, after the address is added or its link comes up`;
  const later = `sockscope try ${c.op} ${c.target.startsWith('[') ? `'${c.target}'` : c.target}   (again, once DAD is done)`;
  const early = `to bind it before DAD is done: IP_FREEBIND on the socket, or sysctl net.ipv6.ip_nonlocal_bind=1; or add it with nodad (ip -6 addr add ${address}/PREFIX dev ${dev ?? 'IFACE'} nodad)`;
  if (st?.state === 'tentative') return { ok: false, summary: `${address} ${where} but not usable yet: tentative: ${dad}`, details, nextSteps: [later, show, early] };
  if (st?.state === 'ok')
    return { ok: false, summary: `${address} ${where} and usable now, but was not when bind() ran: it was tentative (${dad})`, details, nextSteps: [later] };
  return {
    ok: false,
    summary: `${address} ${where} but not usable yet: tentative (${dad}) or dadfailed (another host on the link has it)`,
    details,
    nextSteps: [show, later, early],
  };
}

/** bind() of an IPv4-mapped address (::ffff:a.b.c.d) on an IPV6_V6ONLY socket: EINVAL. Undefined for any other EINVAL. */
function v4MappedV6only(c: TryContext, details: string[]): TryInterpretation | undefined {
  const written = splitZone(c.target).address;
  const host = bareAddress(written);
  if (ipFamily(written) !== 6 || ipFamily(host) !== 4) return undefined; // ::ffff:127.0.0.1, ::ffff:7f00:1
  const byDefault = c.v6only === undefined && c.bindv6only === 1;
  if (c.v6only !== true && !byDefault) return undefined;
  const why = byDefault ? 'the default here: net.ipv6.bindv6only=1' : '--v6only';
  return {
    ok: false,
    summary: `${written} is an IPv4-mapped address (IPv4 ${host} written as IPv6), and a socket with IPV6_V6ONLY (${why}) takes IPv6 only: it cannot bind an IPv4 address, mapped or not`,
    details,
    nextSteps: [`without IPV6_V6ONLY: sockscope try ${c.op} '[${written}]:${c.port}'${c.bindv6only === 1 ? ' --v6only=false' : ''}${c.udp ? ' --udp' : ''}`, `or bind the IPv4 address on an IPv4 socket: sockscope try ${c.op} ${host}:${c.port}${c.udp ? ' --udp' : ''}`],
  };
}

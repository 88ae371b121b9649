// Why a `sockscope try sendto` failed: an ICMP error after the datagram (read with the facts a connect is), a refusal
// on this host before it left (EPERM, EACCES), or a port unreachable (who sent it, and which UDP socket would have
// received it). Pure, as interpret-try.ts, which calls it.
import { diagnoseConnectError } from './interpret-connect.js';
import { udpIcmpFinding } from './icmp-report.js';
import { udpBoundText, udpElsewhere, udpSendInstead } from './udp-delivery.js';
import { bareAddress, endpointHost, ipFamily } from './host-port.js';
import type { TryContext, TryInterpretation } from './interpret-try-types.js';
import { isLinkLocal, isLoopback } from '../model/socket.js';

/** An IPv4 destination, or IPv4-mapped: a socket bound to 0.0.0.0 receives it. */
const isV4 = (a: string) => ipFamily(a) !== 6 || a.toLowerCase().startsWith('::ffff:');

/** The interpretation of a failed sendto, or undefined when the errno is none of these (the caller's generic line). */
export function sendtoFailure(c: TryContext, errno: string, details: string[]): TryInterpretation | undefined {
  // An ICMP error after a sendto (EHOSTUNREACH: no ARP reply, or a REJECT rule): read with the facts a connect is.
  if (c.connectFacts && ['EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH'].includes(errno)) {
    const d = diagnoseConnectError(errno, { ...c.connectFacts, ...(c.udpSockets ? { udpSockets: c.udpSockets } : {}), datagram: true, address: endpointHost(c.target), port: c.port, timeoutMs: c.timeoutMs });
    return { ok: false, summary: d.summary, details, nextSteps: d.nextSteps };
  }
  // Refused on this host before it left: netfilter dropping a locally sent packet (an OUTPUT DROP or REJECT rule)
  // makes sendto fail with EPERM, as a BPF cgroup hook does; EACCES is a broadcast address without SO_BROADCAST (a
  // subnet's last address is one), a prohibit route or rule, or a security module. They read "sendto failed with ...".
  if (errno === 'EPERM' || errno === 'EACCES') {
    const host = bareAddress(endpointHost(c.target));
    if (errno === 'EPERM')
      return {
        ok: false,
        summary: `${c.target}: the datagram was refused on this host before it left: a firewall rule in OUTPUT drops or rejects it (netfilter dropping a locally sent packet gives EPERM), or a BPF cgroup sendmsg hook`,
        details,
        nextSteps: [`nft list ruleset; iptables -S OUTPUT   (a DROP or REJECT rule for udp port ${c.port}, or for ${host})`],
      };
    return {
      ok: false,
      summary: `${c.target}: sendto was denied (EACCES): ${host} is a broadcast address and the socket has no SO_BROADCAST (a subnet's last address is one), or a prohibit route or rule, or a security module (SELinux, AppArmor) refused it`,
      details,
      nextSteps: [`ip route get ${host}   ("broadcast" first: a broadcast address, which needs setsockopt(SO_BROADCAST, 1); "prohibit": a route that refuses it)`, 'ip rule; ausearch -m avc -ts recent, or journalctl -k   (a policy rule or a security module denial)'],
    };
  }
  // No address of the destination's family to send from (IPv6 disabled): said as bind and connect say it.
  const none = c.connectFacts?.noSourceFamily;
  if (errno === 'EADDRNOTAVAIL' && none) {
    const host = bareAddress(endpointHost(c.target));
    const fam = `IPv${none.family}`;
    const why = none.disabled ? 'IPv6 is disabled (net.ipv6.conf.all.disable_ipv6=1)' : `no ${fam} address is configured on any interface`;
    const instead = none.family === 6 && isLoopback(host) ? `127.0.0.1: sockscope try sendto 127.0.0.1:${c.port}` : `an ${none.family === 6 ? 'IPv4' : 'IPv6'} address of the destination`;
    return {
      ok: false,
      summary: `${c.target}: this host has no ${fam} address to send from: ${why}`,
      details,
      nextSteps: [
        ...(none.family === 6 && none.disabled !== false ? ['sysctl net.ipv6.conf.all.disable_ipv6 net.ipv6.conf.default.disable_ipv6 net.ipv6.conf.lo.disable_ipv6   (1: IPv6 off; sysctl -w NAME=0 turns it on)'] : [`ip -${none.family} addr   (no address listed: add one, ip -${none.family} addr add ADDR dev IFACE)`]),
        `or send to ${instead}`,
      ],
    };
  }
  if (errno === 'ECONNREFUSED') {
    // This host: sockets on the port at other addresses (127.0.0.1 when sending to 127.0.0.3) receive nothing sent here.
    const elsewhere = c.udpSockets ? udpElsewhere(c.udpSockets, endpointHost(c.target)) : [];
    if (elsewhere.length) {
      return {
        ok: false,
        summary: `${c.target}: an ICMP port unreachable came back: nothing receives on UDP ${c.target} (no socket is bound to ${endpointHost(c.target)} or to a wildcard on port ${c.port}), but ${elsewhere.slice(0, 3).map(udpBoundText).join('; ')}${elsewhere.length > 3 ? ` and ${elsewhere.length - 3} more` : ''}`,
        details: [...details, `a UDP socket receives only datagrams sent to the address it is bound to (or to any address of its family, bound to ${isV4(endpointHost(c.target)) ? '0.0.0.0' : '::'})`],
        nextSteps: udpSendInstead(elsewhere, endpointHost(c.target), c.port, 'sockscope try sendto'),
      };
    }
    // The error queue names who sent it: a router or firewall on the way is a REJECT rule there, not the server's answer.
    // (debug-connections --udp says the same: icmp-report.ts udpIcmpFinding.)
    const icmp = c.connectFacts?.icmp;
    // To this host the port's UDP sockets were read: one that would receive it means a REJECT rule answered, not the
    // kernel's "nothing bound here". To another host, an error this host sent is an OUTPUT REJECT rule of its own.
    const target = bareAddress(endpointHost(c.target));
    const toThisHost = isLoopback(target) || (c.hostAddresses ?? []).some((a) => bareAddress(a) === target);
    const found = icmp?.from
      ? udpIcmpFinding(icmp, c.target, { address: endpointHost(c.target), port: c.port, hostAddresses: c.hostAddresses, ...(toThisHost ? { udpSockets: c.udpSockets ?? [] } : {}) })
      : undefined;
    // The destination's own port unreachable is either a closed port or a REJECT rule there: found says both.
    if (found) return { ok: false, summary: found.summary, details, nextSteps: found.steps };
    const bind = 'check that the server binds the address you send to';
    if (toThisHost) return { ok: false, summary: `${c.target}: an ICMP port unreachable came back${icmp?.from ? ` from ${icmp.from}` : ''}: nothing listens on UDP port ${c.port} there`, details, nextSteps: [`ss -lunp 'sport = :${c.port}'   (this host: the UDP sockets on the port)`, bind] };
    return {
      ok: false,
      summary: `${c.target}: an ICMP port unreachable came back${icmp?.from ? ` from ${icmp.from}` : ''}: nothing receives on UDP port ${c.port} there, or a firewall rejects it`,
      details,
      nextSteps: [`on that host: ss -lunp 'sport = :${c.port}'`, bind, `on that host: nft list ruleset | grep -n reject; iptables -S | grep REJECT   (a REJECT rule for udp port ${c.port})`],
    };
  }
  return undefined;
}

/**
 * A sendto to an IPv6 link-local address without its zone: bind and connect fail with EINVAL, but sendto is taken with
 * sin6_scope_id 0 and routed by the fe80::/64 routes (one per interface with a link-local address), so the datagram
 * went out of the interface whose route came first. Named when one interface has a link-local address (hostAddresses
 * carry their zones), else the candidates and `ip -6 route get`, which asks the kernel the same question.
 */
export function unzonedLinkLocal(c: TryContext): { note: string; steps: string[] } | undefined {
  const host = endpointHost(c.target);
  if (c.op !== 'sendto' || host.includes('%') || !isLinkLocal(host)) return undefined;
  const links = [...new Set((c.hostAddresses ?? []).filter((a) => a.includes('%')).map((a) => a.slice(a.indexOf('%') + 1)))];
  const which = links.length === 1 ? `: ${links[0]}, the only interface with a link-local address (fe80::/64 on-link)` : links.length ? `, one of ${links.join(', ')} (ip -6 route get ${host} shows which)` : '';
  return {
    note: `no zone was given for the link-local address ${host} (sin6_scope_id 0), so the kernel chose the interface by its routes${which}`,
    steps: [`to choose the link: sockscope try sendto '[${host}%${links.length === 1 ? links[0] : 'IFACE'}]:${c.port}'`, ...(links.length === 1 ? [] : [`ip -6 route get ${host}   (the interface the kernel sends it out of)`])],
  };
}

// EHOSTUNREACH explained by an ICMP error that came back: from a REJECT rule on this host (an address of this host
// involves no ARP), or from the peer or a router once the next hop's neighbour entry answered.
import { isIP } from 'node:net';
import { icmpText, rejectRules, type IcmpReport } from './icmp-report.js';
import { memberName, reuseportGroup } from './connect-listeners.js';
import { bareAddress, formatHostPort } from './host-port.js';
import { udpReceivers, udpSocketName } from './udp-delivery.js';
import type { ConnectContext } from './connect-context.js';
import type { NeighbourEntry } from '../parse/ip-route.js';

/** What an ICMP error that gives EHOSTUNREACH is called in the family of `address`, and the REJECT rules that send it. */
function icmpReject(address: string, read?: IcmpReport | null): { icmp: string; rules: string } {
  // ICMPv6 admin prohibited gives EACCES, not EHOSTUNREACH (icmpv6_err_convert): only address unreachable does.
  const r =
    isIP(address) === 6
      ? { icmp: 'an ICMPv6 address unreachable', rules: 'nft `reject with icmpx host-unreachable`, ip6tables --reject-with icmp6-addr-unreachable' }
      : { icmp: 'an ICMP host unreachable or admin prohibited', rules: 'nft `reject with icmpx admin-prohibited`, iptables --reject-with icmp-host-prohibited, icmp-admin-prohibited or icmp-host-unreachable' };
  // The error read from the socket (try) says which, and from whom, and its code names the rule that sends it.
  return read ? { icmp: `an ${icmpText(read)}`, rules: rejectRules(read) ?? r.rules } : r;
}

/**
 * EHOSTUNREACH although the next hop's neighbour entry has its link-layer address (neighbourFinding answered): the
 * packet left this host, and an ICMP error came back (the kernel's own ARP failure would have left the entry FAILED).
 */
export function icmpRejected(ctx: ConnectContext, target: string, n: NeighbourEntry): { summary: string; steps: string[] } {
  const bare = bareAddress(ctx.address);
  const P = ctx.port;
  const proto = ctx.datagram ? 'udp' : 'tcp';
  const sent = ctx.datagram ? 'the datagram' : 'the SYN';
  const nd = isIP(n.address) === 6 ? 'NDP (neighbour discovery)' : 'ARP';
  const known = n.state === 'PERMANENT' || n.state === 'NOARP' ? `has a static ${nd} entry` : `answers ${nd}`;
  const on = n.dev ? ` on ${n.dev}` : '';
  const { icmp, rules } = icmpReject(bare, ctx.icmp);
  const ruleStep = `on ${bare}: nft list ruleset; iptables -S INPUT   (a REJECT rule for ${proto} port ${P}: ${rules.replace(/`/g, '')})`;
  const watch = `tcpdump -ni ${n.dev ?? 'any'} ${isIP(bare) === 6 ? 'icmp6' : 'icmp'}   (while retrying: the ICMP's source is the host that rejects, its code says why)`;
  if (ctx.route?.via !== undefined)
    return {
      summary: `${target}: the gateway ${n.address} ${known}${on}, so ${sent} left this host, and ${icmp} came back: a REJECT rule on the path or on ${bare} (${rules}), or a router beyond the gateway that cannot reach ${bare}`,
      steps: [`traceroute ${ctx.datagram ? '-U' : '-T'} -p ${P} ${bare}   (the hop that answers !X (admin prohibited) or !H (host unreachable) is the one that rejects)`, watch, ruleStep],
    };
  return {
    summary: `${target}: ${n.address} ${known}${on}${n.lladdr ? ` (${n.lladdr})` : ''}, so ${sent} reached it, and ${icmp} came back: a REJECT rule on ${bare} (${rules}) rejects ${proto} port ${P}; not an ${nd} failure`,
    steps: [ruleStep, watch],
  };
}

/**
 * EHOSTUNREACH from an address of this host: loopback involves no ARP, so an ICMP error came from a REJECT rule on
 * this host. The listener (or, for a datagram, the UDP socket) that would have taken it is named when there is one.
 */
export function rejectedLocally(ctx: ConnectContext, target: string): { summary: string; steps: string[] } {
  const t = bareAddress(ctx.address);
  const P = ctx.port;
  const proto = ctx.datagram ? 'udp' : 'tcp';
  const { icmp, rules } = icmpReject(t, ctx.icmp);
  let who: string | undefined;
  let none = '';
  if (ctx.datagram) {
    const here = ctx.udpSockets ? udpReceivers(ctx.udpSockets, t) : [];
    if (here.length) who = `${here.slice(0, 3).map(udpSocketName).join('; ')} would receive this datagram`;
    else if (ctx.udpSockets) none = `; no UDP socket receives on ${target} either`;
  } else if (ctx.listeners) {
    const group = reuseportGroup(ctx.listeners, t);
    if (group.length) who = `${group.map((l) => memberName(l, group)).join(', ')} ${group.length === 1 ? 'listens' : 'listen (SO_REUSEPORT)'} on ${formatHostPort(group[0].address, P)}, which takes this connection`;
    else none = `; nothing listens on ${target} either`;
  }
  return {
    summary: who
      ? `${target}: ${who}, yet ${icmp} came back: a REJECT rule on this host (${rules}) rejects ${proto} port ${P}; an address of this host involves no ARP`
      : `${target} is an address of this host, which involves no ARP, yet ${icmp} came back: a REJECT rule on this host (${rules}) rejects ${proto} port ${P}${none}`,
    steps: [
      `nft list ruleset; iptables -S INPUT; iptables -S OUTPUT   (a REJECT rule for ${proto} port ${P}: ${rules.replace(/`/g, '')})`,
      ctx.datagram ? `ss -lunp 'sport = :${P}'   (the UDP sockets on the port)` : `sockscope analyze --port ${P}   (the port's listeners, connections and owners)`,
    ],
  };
}

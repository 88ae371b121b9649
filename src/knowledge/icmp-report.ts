// What an ICMP error that ended a connect or a sendto says, and who sent it: read from the socket's error queue
// (IP_RECVERR / IPV6_RECVERR, collect/icmp-errqueue.ts). Pure: the reading is elsewhere.
import { bareAddress } from './host-port.js';
import { udpReceivers, udpSocketName, type UdpSocketReading } from './udp-delivery.js';

/**
 * The ICMP error the kernel queued on sockscope's own socket (struct sock_extended_err with SO_EE_ORIGIN_ICMP or
 * SO_EE_ORIGIN_ICMP6, and the offender address that follows it). `null` in a context: the queue was read and held
 * none (a refused TCP connect was then answered with a reset); absent: it was not read.
 */
export interface IcmpReport {
  /** 4 for ICMP, 6 for ICMPv6. */
  version: 4 | 6;
  type: number;
  code: number;
  /** The address the ICMP error came from (the offender); absent when the kernel gave none. */
  from?: string;
  /** A fragmentation needed (ICMPv6 packet too big): the next-hop MTU the router reported (sock_extended_err's ee_info). */
  mtu?: number;
}

export type IcmpKind = 'port-unreachable' | 'prot-unreachable' | 'admin-prohibited' | 'host-unreachable' | 'net-unreachable' | 'frag-needed' | 'ttl-exceeded' | 'other';

/** Destination unreachable, by code: its kind and its own words (RFC 792 and RFC 1812; RFC 4443 for ICMPv6). */
const UNREACH_V4: Record<number, [IcmpKind, string]> = {
  0: ['net-unreachable', 'network unreachable'],
  1: ['host-unreachable', 'host unreachable'],
  2: ['prot-unreachable', 'protocol unreachable'],
  3: ['port-unreachable', 'port unreachable'],
  4: ['frag-needed', 'fragmentation needed'],
  5: ['other', 'source route failed'],
  6: ['net-unreachable', 'destination network unknown'],
  7: ['host-unreachable', 'destination host unknown'],
  9: ['admin-prohibited', 'network administratively prohibited'],
  10: ['admin-prohibited', 'host administratively prohibited'],
  11: ['net-unreachable', 'network unreachable for the type of service'],
  12: ['host-unreachable', 'host unreachable for the type of service'],
  13: ['admin-prohibited', 'communication administratively prohibited'],
};
const UNREACH_V6: Record<number, [IcmpKind, string]> = {
  0: ['net-unreachable', 'no route to destination'],
  1: ['admin-prohibited', 'administratively prohibited'],
  3: ['host-unreachable', 'address unreachable'],
  4: ['port-unreachable', 'port unreachable'],
  5: ['admin-prohibited', 'source address failed policy'],
  6: ['admin-prohibited', 'reject route to destination'],
};

function classify(r: IcmpReport): [IcmpKind, string] {
  if (r.version === 4) {
    if (r.type === 3) return UNREACH_V4[r.code] ?? ['other', 'destination unreachable'];
    if (r.type === 11) return ['ttl-exceeded', 'time exceeded'];
    return ['other', 'error'];
  }
  if (r.type === 1) return UNREACH_V6[r.code] ?? ['other', 'destination unreachable'];
  if (r.type === 2) return ['frag-needed', 'packet too big'];
  if (r.type === 3) return ['ttl-exceeded', 'time exceeded'];
  return ['other', 'error'];
}

/** The kind of an ICMP error, by version, type and code. */
export function icmpKind(r: IcmpReport): IcmpKind {
  return classify(r)[0];
}

/** "ICMP port unreachable (type 3 code 3) from 10.0.0.1", "ICMPv6 reject route to destination (type 1 code 6) from fd00::1". */
export function icmpText(r: IcmpReport): string {
  return `ICMP${r.version === 6 ? 'v6' : ''} ${classify(r)[1]} (type ${r.type} code ${r.code})${r.from ? ` from ${r.from}` : ''}`;
}

/** An address as the kernel writes it, to compare what a user typed ("[FD78:0:0:0::2]", "fe80::1%eth0") with an ICMP error's sender. */
function canonical(address: string): string {
  return bareAddress(address.replace(/^\[|\]$/g, ''));
}

/**
 * Where the ICMP error came from, for a sentence: this host (its own firewall, or its kernel giving up on the
 * neighbour), the destination itself, or a router or firewall on the path.
 */
export function icmpSender(r: IcmpReport, destination: string, hostAddresses: readonly string[] = []): 'destination' | 'this host' | 'path' | 'unknown' {
  if (!r.from) return 'unknown';
  const from = canonical(r.from);
  if (hostAddresses.some((a) => canonical(a) === from)) return 'this host';
  if (canonical(destination) === from) return 'destination';
  return 'path';
}

/** The commands that list REJECT rules, for the family of the error (iptables never shows IPv6 rules). */
export function rejectRuleCommand(r: Pick<IcmpReport, 'version'>): string {
  return r.version === 6 ? 'nft list ruleset | grep -n reject; ip6tables -S | grep REJECT' : 'nft list ruleset | grep -n reject; iptables -S | grep REJECT';
}

/**
 * The administratively prohibited codes (and ICMPv6's policy codes), by version/code: the reject type's name, the nft
 * statement and the iptables --reject-with that send it (nft(8) icmp_code, icmpv6_code and icmpx_code; libipt_REJECT,
 * libip6t_REJECT). icmpx admin-prohibited sends ICMP code 13 and ICMPv6 code 1.
 */
const PROHIBITED: Record<string, [string, string, string]> = {
  '4/9': ['net-prohibited', 'nft reject with icmp net-prohibited', 'icmp-net-prohibited'],
  '4/10': ['host-prohibited', 'nft reject with icmp host-prohibited', 'icmp-host-prohibited'],
  '4/13': ['admin-prohibited', 'nft reject with icmp admin-prohibited or icmpx admin-prohibited', 'icmp-admin-prohibited'],
  '6/1': ['admin-prohibited', 'nft reject with icmpv6 admin-prohibited or icmpx admin-prohibited', 'icmp6-adm-prohibited'],
  '6/5': ['policy-fail', 'nft reject with icmpv6 policy-fail', 'icmp6-policy-fail'],
  '6/6': ['reject-route', 'nft reject with icmpv6 reject-route', 'icmp6-reject-route'],
};

/** How a REJECT rule sends this kind of error, in nft's and iptables' words. */
function rejectHow(r: IcmpReport, kind: IcmpKind): string {
  const v6 = r.version === 6;
  if (kind === 'port-unreachable') return v6 ? "a REJECT rule (ip6tables REJECT's default, nft reject)" : "a REJECT rule (iptables REJECT's default, nft reject)";
  if (kind === 'admin-prohibited') {
    // Each code has its own reject type: icmp-host-prohibited sends code 10, icmpx admin-prohibited code 13 (ICMPv6: 1).
    const [what, nft, ipt] = PROHIBITED[`${r.version}/${r.code}`] ?? (v6 ? PROHIBITED['6/1'] : PROHIBITED['4/13']);
    return `a REJECT rule with ${what} (${nft}, ${v6 ? 'ip6tables' : 'iptables'} --reject-with ${ipt})`;
  }
  if (kind === 'prot-unreachable') return 'a REJECT rule with protocol unreachable (nft reject with icmp prot-unreachable, iptables --reject-with icmp-proto-unreachable)';
  if (kind === 'host-unreachable')
    return v6 ? 'a REJECT rule with address unreachable (nft reject with icmpv6 addr-unreachable, ip6tables --reject-with icmp6-addr-unreachable)' : 'a REJECT rule with host unreachable (nft reject with icmp host-unreachable, iptables --reject-with icmp-host-unreachable)';
  return v6 ? 'a REJECT rule with no route (nft reject with icmpv6 no-route, ip6tables --reject-with icmp6-no-route)' : 'a REJECT rule with network unreachable (nft reject with icmp net-unreachable, iptables --reject-with icmp-net-unreachable)';
}

/**
 * The nft and iptables ways a REJECT rule sends this error ("nft reject with icmp host-prohibited, iptables
 * --reject-with icmp-host-prohibited"), for a parenthesis; undefined for an error no REJECT rule sends.
 */
export function rejectRules(r: IcmpReport): string | undefined {
  const kind = icmpKind(r);
  if (!['port-unreachable', 'admin-prohibited', 'prot-unreachable', 'host-unreachable', 'net-unreachable'].includes(kind)) return undefined;
  return /\((.*)\)$/.exec(rejectHow(r, kind))?.[1];
}

/**
 * The sentence for a TCP connect that an ICMP error ended, or undefined when no error is worth a sentence of its own.
 * Linux answers a SYN to a closed TCP port with a reset, never with ICMP, so a port or protocol unreachable or an
 * administratively prohibited for TCP is a REJECT rule at the sender; so is a host or network unreachable that the
 * destination sends about itself (a host does not report itself unreachable).
 */
export function tcpIcmpFinding(r: IcmpReport, target: string, destination: string, hostAddresses: readonly string[] = []): { summary: string; steps: string[] } | undefined {
  const kind = icmpKind(r);
  const sender = icmpSender(r, destination, hostAddresses);
  const at = sender === 'destination' ? `${destination} itself` : sender === 'this host' ? `this host (${r.from})` : sender === 'path' ? `${r.from}, a router or firewall on the way` : 'a host that did not name itself';
  const port = target.replace(/^.*:/, '');
  const where = sender === 'this host' ? 'this host' : sender === 'path' ? `${r.from} (or whatever firewall it is)` : destination;
  const ruleSteps = [`on ${where}: ${rejectRuleCommand(r)}   (the rule that answers port ${port})`, 'if that port is meant to be open, allow it there (or fix the rule order: an earlier REJECT wins)'];
  const unreachable = kind === 'host-unreachable' || kind === 'net-unreachable';
  if (kind === 'port-unreachable' || kind === 'admin-prohibited' || kind === 'prot-unreachable' || (unreachable && sender === 'destination')) {
    const why = unreachable ? `. A host does not report itself unreachable, so a firewall refused it` : '. A closed TCP port answers with a reset, never with ICMP, so a firewall refused it, not a missing listener';
    return { summary: `${target} was refused with an ${icmpText(r)}: ${rejectHow(r, kind)} on ${at}${why}`, steps: ruleSteps };
  }
  if (unreachable) {
    const own = sender === 'this host';
    return {
      summary: own
        ? `${target}: this host's own kernel reported ${kind === 'host-unreachable' ? 'the host unreachable (no ARP/NDP answer from the next hop, or a local rule)' : 'the network unreachable'} (${icmpText(r)})`
        : `${target}: ${at} reported ${kind === 'host-unreachable' ? 'the host unreachable' : 'the network unreachable'} (${icmpText(r)}): the packet got as far as ${r.from ?? 'that router'}`,
      steps: own ? [`ip neigh; ip route get ${destination}`] : [`traceroute -T -p ${port} ${destination}   (the path ends at or after ${r.from ?? 'that router'})`, `on ${r.from ?? 'that router'}: its route to ${destination} and its filter rules`],
    };
  }
  return undefined;
}

/**
 * A UDP datagram (debug-connections --udp, try sendto) that an ICMP error ended, said with the error and who sent it
 * (`sender`); undefined where the errno's
 * own wording says it already (this host's kernel answering for a port nothing receives on, or its own unreachable,
 * which diagnoseConnectError explains with the neighbour entry). A closed UDP port answers with an ICMP port
 * unreachable, as a REJECT rule does by default: from the destination it is either; from anyone else, a REJECT rule.
 */
export function udpIcmpFinding(
  r: IcmpReport,
  target: string,
  ctx: { address: string; port: number; hostAddresses?: readonly string[] | undefined; udpSockets?: readonly UdpSocketReading[] | undefined },
): { summary: string; steps: string[]; sender: ReturnType<typeof icmpSender> } | undefined {
  const bare = bareAddress(ctx.address);
  const P = ctx.port;
  const kind = icmpKind(r);
  // This host's destination (its UDP sockets were read): its own answer, whichever of its addresses (127.0.0.3) it is.
  const named = icmpSender(r, bare, ctx.hostAddresses);
  const sender = ctx.udpSockets !== undefined && named === 'destination' ? 'this host' : named;
  const rules = (where: string, why: string) => `on ${where}: ${rejectRuleCommand(r)}   (${why} for udp port ${P})`;
  const trace = `traceroute -U -p ${P} ${bare}   (the path up to ${r.from})`;
  const unreachable = kind === 'host-unreachable' || kind === 'net-unreachable';
  if (sender === 'this host') {
    if (ctx.udpSockets === undefined)
      return kind === 'port-unreachable' || kind === 'admin-prohibited' || kind === 'prot-unreachable'
        ? { sender, summary: `${target}: an ${icmpText(r)} came back: this host sent it, so a REJECT rule on this host (OUTPUT) refuses the datagram before it leaves`, steps: [rules('this host', 'an OUTPUT rule')] }
        : undefined;
    // This host's own port: a socket that would receive the datagram answers nothing of the kind, so a REJECT rule did.
    const receivers = kind === 'port-unreachable' ? udpReceivers(ctx.udpSockets, bare) : [];
    if (receivers.length === 0) return undefined;
    return {
      sender,
      summary: `${target}: ${receivers.slice(0, 3).map(udpSocketName).join('; ')} would receive it, yet an ${icmpText(r)} came back: a REJECT rule on this host rejects udp port ${P}`,
      steps: [rules('this host', 'a REJECT rule'), `ss -lunp 'sport = :${P}'   (the UDP sockets on the port)`],
    };
  }
  if (sender === 'destination' && kind === 'port-unreachable')
    return {
      sender,
      summary: `${target}: an ICMP${r.version === 6 ? 'v6' : ''} port unreachable came back: nothing receives on UDP port ${P} there, or a firewall rejects it; the ${icmpText(r)} is the destination's own answer, so no router on the way rejected it (a REJECT rule would be on ${bare} itself)`,
      steps: [`on the server: ss -lunp 'sport = :${P}'   (is a socket bound to the port, on that address?)`, rules(bare, 'a REJECT rule')],
    };
  if (sender === 'path' && kind === 'port-unreachable')
    return {
      sender,
      summary: `${target}: an ${icmpText(r)} came back: ${r.from} is a router or firewall on the way, not the server, so a REJECT rule there refuses the datagram before it arrives`,
      steps: [rules(r.from!, 'the rule'), trace],
    };
  if (sender === 'path' && unreachable)
    return {
      sender,
      summary: `${target}: ${r.from}, a router on the way, reported the ${kind === 'host-unreachable' ? 'host' : 'network'} unreachable (${icmpText(r)}): the datagram got as far as ${r.from}`,
      steps: [trace, `on ${r.from}: its route to ${bare} and its filter rules`],
    };
  if ((sender === 'destination' || sender === 'path') && (kind === 'admin-prohibited' || kind === 'prot-unreachable' || unreachable)) {
    const on = sender === 'destination' ? `${bare} itself refuses udp port ${P}` : `${r.from}, a router or firewall on the way, refuses udp port ${P} before the datagram reaches ${bare}`;
    return {
      sender,
      summary: `${target}: an ${icmpText(r)} came back: a REJECT rule on ${on}${unreachable ? '. A host does not report itself unreachable' : ''}`,
      steps: [rules(sender === 'destination' ? bare : r.from!, 'the rule'), 'if that port is meant to be open, allow it there (or fix the rule order: an earlier REJECT wins)'],
    };
  }
  return undefined;
}

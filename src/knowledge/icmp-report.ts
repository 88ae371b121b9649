// What an ICMP error that ended a connect or a sendto says, and who sent it: read from the socket's error queue
// (IP_RECVERR / IPV6_RECVERR, collect/icmp-errqueue.ts). Pure: the reading is elsewhere.

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
}

export type IcmpKind = 'port-unreachable' | 'admin-prohibited' | 'host-unreachable' | 'net-unreachable' | 'frag-needed' | 'ttl-exceeded' | 'other';

/** The kind of an ICMP error, by version, type and code (RFC 792, RFC 1812 and RFC 4443 numbers). */
export function icmpKind(r: IcmpReport): IcmpKind {
  if (r.version === 4) {
    if (r.type === 11) return 'ttl-exceeded';
    if (r.type !== 3) return 'other';
    if (r.code === 3) return 'port-unreachable';
    if (r.code === 9 || r.code === 10 || r.code === 13) return 'admin-prohibited';
    if (r.code === 1 || r.code === 5 || r.code === 7 || r.code === 11 || r.code === 12) return 'host-unreachable';
    if (r.code === 0 || r.code === 6) return 'net-unreachable';
    if (r.code === 4) return 'frag-needed';
    return 'other';
  }
  if (r.type === 2) return 'frag-needed';
  if (r.type === 3) return 'ttl-exceeded';
  if (r.type !== 1) return 'other';
  if (r.code === 4) return 'port-unreachable';
  if (r.code === 1 || r.code === 5 || r.code === 6) return 'admin-prohibited';
  if (r.code === 3) return 'host-unreachable';
  if (r.code === 0) return 'net-unreachable';
  return 'other';
}

const KIND_TEXT: Record<IcmpKind, string> = {
  'port-unreachable': 'port unreachable',
  'admin-prohibited': 'administratively prohibited',
  'host-unreachable': 'host unreachable',
  'net-unreachable': 'network unreachable',
  'frag-needed': 'fragmentation needed / packet too big',
  'ttl-exceeded': 'time exceeded (TTL)',
  other: 'error',
};

/** "ICMP port unreachable (type 3 code 3) from 10.0.0.1", "ICMPv6 administratively prohibited (type 1 code 1) from fe80::1". */
export function icmpText(r: IcmpReport): string {
  return `ICMP${r.version === 6 ? 'v6' : ''} ${KIND_TEXT[icmpKind(r)]} (type ${r.type} code ${r.code})${r.from ? ` from ${r.from}` : ''}`;
}

/**
 * Where the ICMP error came from, for a sentence: the destination itself, this host (its own firewall, or its
 * kernel giving up on the neighbour), or a router or firewall on the path.
 */
export function icmpSender(r: IcmpReport, destination: string, hostAddresses: readonly string[] = []): 'destination' | 'this host' | 'path' | 'unknown' {
  if (!r.from) return 'unknown';
  if (hostAddresses.includes(r.from)) return 'this host';
  if (r.from === destination) return 'destination';
  return 'path';
}

/**
 * The sentence for a TCP connect that an ICMP error ended, or undefined when no error is worth a sentence of its own.
 * Linux answers a SYN to a closed TCP port with a reset, never with ICMP, so a port unreachable or an administratively
 * prohibited for TCP is a REJECT rule at the sender.
 */
export function tcpIcmpFinding(r: IcmpReport, target: string, destination: string, hostAddresses: readonly string[] = []): { summary: string; steps: string[] } | undefined {
  const kind = icmpKind(r);
  const sender = icmpSender(r, destination, hostAddresses);
  const at = sender === 'destination' ? `${destination} itself` : sender === 'this host' ? `this host (${r.from})` : sender === 'path' ? `${r.from}, a router or firewall on the way` : 'a host that did not name itself';
  const ruleSteps = (where: string) => [
    `on ${where}: nft list ruleset | grep -n reject; iptables -S | grep REJECT   (the rule that answers port ${target.replace(/^.*:/, '')})`,
    'if that port is meant to be open, allow it there (or fix the rule order: an earlier REJECT wins)',
  ];
  if (kind === 'port-unreachable' || kind === 'admin-prohibited') {
    const how = kind === 'port-unreachable' ? "a REJECT rule (iptables REJECT's default, nft reject)" : 'a REJECT rule with admin-prohibited (nft reject with icmpx admin-prohibited, iptables --reject-with icmp-admin-prohibited or icmp-host-prohibited)';
    return {
      summary: `${target} was refused with an ${icmpText(r)}: ${how} on ${at}. A closed TCP port answers with a reset, never with ICMP, so a firewall refused it, not a missing listener`,
      steps: ruleSteps(sender === 'this host' ? 'this host' : sender === 'path' ? `${r.from} (or whatever firewall it is)` : `${destination}`),
    };
  }
  if (kind === 'host-unreachable' || kind === 'net-unreachable') {
    const own = sender === 'this host';
    return {
      summary: own
        ? `${target}: this host's own kernel reported ${kind === 'host-unreachable' ? 'the host unreachable (no ARP/NDP answer from the next hop, or a local rule)' : 'the network unreachable'} (${icmpText(r)})`
        : `${target}: ${at} reported ${kind === 'host-unreachable' ? 'the host unreachable' : 'the network unreachable'} (${icmpText(r)}): the packet got as far as ${r.from ?? 'that router'}`,
      steps: own ? [`ip neigh; ip route get ${destination}`] : [`traceroute -T -p ${target.replace(/^.*:/, '')} ${destination}   (the path ends at or after ${r.from ?? 'that router'})`, `on ${r.from ?? 'that router'}: its route to ${destination} and its filter rules`],
    };
  }
  return undefined;
}

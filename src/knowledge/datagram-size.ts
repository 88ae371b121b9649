// A datagram too large: for one UDP datagram (the send fails with EMSGSIZE, nothing sent), or for the path (it left
// with DF set, a router answered with an ICMP fragmentation needed / packet too big, and EMSGSIZE came back later),
// or larger than the path MTU the kernel holds (it left in fragments). Pure: the readings are in collect/.
import { ipFamily } from './host-port.js';
import { icmpKind, icmpText, type IcmpReport } from './icmp-report.js';

/** Whether the datagram travels as IPv4 (an IPv4 address, or an IPv4-mapped one). */
function overIpv4(bare: string): boolean {
  return ipFamily(bare) !== 6 || bare.toLowerCase().startsWith('::ffff:');
}

/** The IP and UDP headers' bytes: 28 over IPv4, 48 over IPv6. */
function headerBytes(bare: string): number {
  return overIpv4(bare) ? 28 : 48;
}

/**
 * The send itself failed with EMSGSIZE (the UDP socket's connect() succeeded): the size limit of one UDP datagram,
 * 65,535 less the headers, 65,507 bytes of data over IPv4 (an IPv4-mapped address too) and 65,527 over IPv6 (its
 * payload length less the UDP header; no jumbograms). Nothing was sent. Undefined for another errno.
 */
export function sendFailed(errno: string, target: string, bare: string): { summary: string; nextSteps: string[] } | undefined {
  const sent = `${target}: the UDP socket's connect() succeeded, but the send failed with ${errno}`;
  if (errno !== 'EMSGSIZE') return undefined;
  const v4 = overIpv4(bare);
  const [max, why] = v4 ? ['65,507', '65,535 less the 20-byte IPv4 header and the 8-byte UDP header'] : ['65,527', "the IPv6 payload length's 65,535 less the 8-byte UDP header"];
  return {
    summary: `${sent}: the datagram is larger than one UDP datagram carries over ${v4 ? 'IPv4' : 'IPv6'}, ${max} bytes of data (${why}); nothing was sent`,
    nextSteps: [`send at most ${max} bytes per datagram: split the message, or use TCP for larger ones`, 'below the path MTU (typically 1200-1400 bytes on the internet) a datagram is not fragmented either, and fragments are often dropped on the way'],
  };
}

/**
 * EMSGSIZE after the send returned (not from it): the datagram left this host with DF set (Linux's default for UDP is
 * IP_PMTUDISC_WANT, which sets DF on datagrams that fit the known path MTU; IPv6 routers never fragment) and a router
 * whose next link is smaller dropped it, answering with an ICMP fragmentation needed (ICMPv6 packet too big) that the
 * kernel turned into EMSGSIZE on the socket. `icmp`: that error read again on a second datagram (its sender and MTU);
 * `pathMtu`: the path MTU the kernel now holds for the destination (IP_MTU).
 */
export function pathMtuExceeded(target: string, bare: string, sent: number, icmp: IcmpReport | null | undefined, pathMtu: number | undefined): { summary: string; nextSteps: string[] } {
  const v4 = overIpv4(bare);
  const hdr = headerBytes(bare);
  const tooBig = icmp && icmpKind(icmp) === 'frag-needed' ? icmp : undefined;
  const mtu = tooBig?.mtu ?? pathMtu;
  const router = tooBig?.from;
  const who = router ? `${router}, a router on the way,` : 'a router on the way';
  const what = v4 ? 'an ICMP fragmentation needed' : 'an ICMPv6 packet too big';
  const summary =
    `${target}: the datagram left this host (${sent} bytes of data, ${sent + hdr} bytes as an IPv${v4 ? 4 : 6} packet), but ${who} dropped it: it is larger than ` +
    `${mtu !== undefined ? `the path MTU of ${mtu} bytes` : 'the path MTU'} (${tooBig ? icmpText(tooBig) : `${what} came back`}). ` +
    (v4 ? 'Linux sends UDP with DF set (IP_PMTUDISC_WANT, the default), so the router does not fragment it' : 'IPv6 routers never fragment') +
    `, and the kernel turned the ICMP error into EMSGSIZE on the socket. This host now holds that path MTU for ${bare} (for about 10 minutes, net.ipv${v4 ? 4 : 6}.route.mtu_expires) and fragments larger datagrams itself, so a second try may get through, in fragments`;
  const steps = [
    mtu !== undefined
      ? `keep each datagram to at most ${mtu - hdr} bytes of data on this path (path MTU ${mtu} less the ${hdr} bytes of IPv${v4 ? 4 : 6} and UDP headers), or use TCP for larger messages; fragments are often dropped on the way`
      : 'keep each datagram below the path MTU (typically 1200-1400 bytes on the internet), or use TCP for larger messages',
    `tracepath -n ${bare}   (the MTU hop by hop: where it shrinks)`,
    `ip route get ${bare}   (the path MTU this host holds now: "mtu ${mtu ?? 'N'}")`,
  ];
  if (router) steps.push(`on ${router}: ip link   (the MTU of its link toward ${bare}, if it is smaller than it should be)`);
  return { summary, nextSteps: steps };
}

/**
 * A datagram that left without an error from the send but is larger than the path MTU the kernel holds: it left in
 * fragments (which firewalls and NATs often drop). Undefined when it fits, or the path MTU is unknown.
 */
export function fragmentedNote(bare: string, sent: number, pathMtu: number | undefined): { note: string; step: string } | undefined {
  const hdr = headerBytes(bare);
  if (pathMtu === undefined || sent + hdr <= pathMtu) return undefined;
  return {
    note: `; the datagram is ${sent + hdr} bytes as an IPv${overIpv4(bare) ? 4 : 6} packet, larger than the path MTU to ${bare} (${pathMtu} bytes), so this host sent it in fragments`,
    step: `fragments are often dropped on the way (firewalls, NAT): send at most ${pathMtu - hdr} bytes per datagram to rule that out (path MTU ${pathMtu} less ${hdr} bytes of headers)`,
  };
}

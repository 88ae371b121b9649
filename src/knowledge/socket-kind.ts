// A socket's kind as getsockopt reads it (SO_DOMAIN, SO_TYPE, SO_PROTOCOL): the names of families, types and
// protocols, and how interpret-options.ts words a socket that is not TCP, UDP or unix (raw, packet, netlink, ping).
import type { OptionContext } from './interpret-options.js';

/**
 * The key of a socket's SO_DOMAIN, SO_TYPE and SO_PROTOCOL numbers as getsockopt read them (-1: unreadable), whatever
 * --options asked for: the socket line and the names of a protocol need them (review s23 dB #6: `--options
 * SO_PROTOCOL` on a NETLINK_GENERIC socket read "socket: not IP or unix raw" and "protocol 16"). A symbol: copies
 * ({...socket}) keep it, JSON never shows it (the --json document names the kind with family, type and protocol).
 */
export const KIND_NUMBERS: unique symbol = Symbol('sockscope.kindNumbers');
export interface KindNumbers {
  domain: number;
  type: number;
  protocol: number;
}

export const FAMILIES: Record<number, string> = { 1: 'AF_UNIX', 2: 'AF_INET', 10: 'AF_INET6', 16: 'AF_NETLINK', 17: 'AF_PACKET' };
export const TYPES: Record<number, string> = { 1: 'SOCK_STREAM', 2: 'SOCK_DGRAM', 3: 'SOCK_RAW', 4: 'SOCK_RDM', 5: 'SOCK_SEQPACKET' };
/** SO_PROTOCOL of an IP socket: IPPROTO_* (netinet/in.h); a raw socket's protocol is the one it sends and receives. */
export const PROTOCOLS: Record<number, string> = {
  0: 'default (0)', 1: 'IPPROTO_ICMP', 2: 'IPPROTO_IGMP', 4: 'IPPROTO_IPIP', 6: 'IPPROTO_TCP', 17: 'IPPROTO_UDP', 33: 'IPPROTO_DCCP', 41: 'IPPROTO_IPV6',
  47: 'IPPROTO_GRE', 50: 'IPPROTO_ESP', 51: 'IPPROTO_AH', 58: 'IPPROTO_ICMPV6', 103: 'IPPROTO_PIM', 132: 'IPPROTO_SCTP', 136: 'IPPROTO_UDPLITE', 255: 'IPPROTO_RAW', 262: 'IPPROTO_MPTCP',
};
/** SO_PROTOCOL of an AF_NETLINK socket: the netlink family (linux/netlink.h). */
export const NETLINK_PROTOCOLS: Record<number, string> = { 0: 'NETLINK_ROUTE', 4: 'NETLINK_SOCK_DIAG', 6: 'NETLINK_XFRM', 9: 'NETLINK_AUDIT', 12: 'NETLINK_NETFILTER', 15: 'NETLINK_KOBJECT_UEVENT', 16: 'NETLINK_GENERIC' };

/** The socket's SO_DOMAIN: the row's value when read, else the number read with its kind. */
export function domainOf(c: Pick<OptionContext, 'values' | typeof KIND_NUMBERS> | undefined): number | undefined {
  const v = c?.values.SO_DOMAIN;
  if (typeof v === 'number') return v;
  const n = c?.[KIND_NUMBERS]?.domain;
  return n !== undefined && n >= 0 ? n : undefined;
}

/** The socket's SO_PROTOCOL: the row's value when read, else the number read with its kind. */
export function protocolOf(c: Pick<OptionContext, 'values' | typeof KIND_NUMBERS>): number | undefined {
  const v = c.values.SO_PROTOCOL;
  if (typeof v === 'number') return v;
  const n = c[KIND_NUMBERS]?.protocol;
  return n !== undefined && n >= 0 ? n : undefined;
}

/**
 * An ICMP "ping" socket (SOCK_DGRAM with IPPROTO_ICMP or IPPROTO_ICMPV6, allowed by net.ipv4.ping_group_range): its
 * "port" is the ICMP echo identifier, and Linux sets SO_REUSEADDR on every one (inet_create, INET_PROTOSW_REUSE).
 */
export function isPingSocket(c: Pick<OptionContext, 'family' | 'type' | 'values' | typeof KIND_NUMBERS>): boolean {
  const p = protocolOf(c);
  return (c.family === 'inet' || c.family === 'inet6') && c.type === 'dgram' && (p === 1 || p === 58);
}

/** The name of a SO_PROTOCOL value, by the socket's family (SO_DOMAIN, read or known with its kind): IPPROTO_* only for IP sockets. */
export function protocolName(v: number, c?: Pick<OptionContext, 'family' | 'values' | typeof KIND_NUMBERS>): string | undefined {
  const domain = domainOf(c);
  if (domain === 16) return NETLINK_PROTOCOLS[v];
  if (c?.family === 'other' || (typeof domain === 'number' && domain !== 2 && domain !== 10)) return undefined;
  return PROTOCOLS[v];
}

/**
 * What SO_TYPE 2 (SOCK_DGRAM) means for this socket's family: UDP, a ping socket, a unix datagram socket, netlink
 * messages (SOCK_DGRAM and SOCK_RAW are the same there) or link-layer frames without their header (AF_PACKET).
 */
export function datagramKind(c: OptionContext): string {
  if (isPingSocket(c)) return 'datagrams: an ICMP ping socket (echo requests and replies, no raw access)';
  if (c.family === 'unix') return 'datagrams (unix datagram)';
  if (c.family === 'inet' || c.family === 'inet6') return c.protocol === 'udp' ? 'datagrams (UDP)' : 'datagrams';
  const domain = domainOf(c);
  if (domain === 16) return NETLINK_MESSAGES;
  if (domain === 17) return 'link-layer frames without their link-layer header (the kernel adds and strips it)';
  if (domain === AF_VSOCK) return 'datagrams (vsock: between a virtual machine and its host)';
  return domain === undefined ? 'datagrams' : `datagrams (family ${domain})`;
}

export const NETLINK_MESSAGES = 'netlink messages (SOCK_DGRAM and SOCK_RAW are the same for netlink)';
export const AF_VSOCK = 40;

/**
 * What SO_TYPE means for this socket's family (review s23 dD #5: an AF_VSOCK stream read 'a byte stream (TCP or unix
 * stream)'): each type names what it is in that family; a family not known here is named by its number.
 */
export function typeKind(v: number, c: OptionContext): string {
  const domain = domainOf(c);
  const ip = c.family === 'inet' || c.family === 'inet6' || domain === 2 || domain === 10;
  const unix = c.family === 'unix' || domain === 1;
  const other = domain === AF_VSOCK ? 'vsock: between a virtual machine and its host' : domain !== undefined ? `family ${domain}` : undefined;
  switch (v) {
    case 1: {
      if (ip) return protocolOf(c) === 262 ? 'a byte stream (Multipath TCP)' : protocolOf(c) === 132 ? 'a one-to-one SCTP association (messages kept apart)' : 'a byte stream (TCP)';
      if (unix) return 'a byte stream (unix stream)';
      return other ? `a byte stream (${other})` : 'a byte stream';
    }
    case 2:
      return datagramKind(c);
    case 3:
      if (domain === 16) return NETLINK_MESSAGES;
      if (domain === 17) return 'whole link-layer frames, header included';
      if (ip) {
        const pr = protocolOf(c);
        return `raw IP packets (${pr === undefined ? 'protocol unknown' : (protocolName(pr, c) ?? `protocol ${pr}`)}; no ports)`;
      }
      return other ? `raw (${other})` : 'raw';
    case 4:
      return 'reliably delivered messages (SOCK_RDM: TIPC, RDS)';
    case 5: {
      if (ip) return 'one-to-many SCTP associations (messages kept apart)';
      if (unix) return 'records over a connection, their boundaries kept (unix seqpacket)';
      return other ? `records over a connection, their boundaries kept (${other})` : 'records over a connection, their boundaries kept';
    }
    case 10:
      return 'link-layer frames through the obsolete SOCK_PACKET interface (AF_PACKET replaces it)';
    default:
      return `socket type ${TYPES[v] ?? v}`;
  }
}

/** A raw IP socket, or a socket of another family (AF_PACKET, AF_NETLINK): no ports, no TCP/UDP semantics. */
export function portless(c: Pick<OptionContext, 'family' | 'type'>): boolean {
  return c.type === 'raw' || c.family === 'other';
}

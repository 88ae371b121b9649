// How the getsockopt helper reads each option of the shared reference (src/knowledge/socket-options.ts) on Linux:
// numeric level, optname, buffer size, and the IPv6 spelling of IPv4-level options on AF_INET6 sockets.
import { SET_ONLY } from '../knowledge/interpret-options-report.js';
import type { KIND_NUMBERS, KindNumbers } from '../knowledge/interpret-options.js';
import { LINUX_LEVELS, SOCKET_OPTIONS, findOption, matchOption, type OptionValueType, type SocketOptionInfo } from '../knowledge/socket-options.js';

export type OptionKind = OptionValueType | 'uint';

/** One getsockopt call for one option on one socket. */
export interface ReadPlan {
  info: SocketOptionInfo;
  /** Name actually read when it differs (IPV6_TCLASS for IP_TOS on an IPv6 socket). */
  readAs?: string;
  /** Whose packets the value applies to, when an AF_INET6 socket sends both IPv4 and IPv6 ('IPv4 peers'). */
  readFor?: string;
  level: number;
  optname: number;
  size: number;
  kind: OptionKind;
}

/** Socket facts that decide whether an option applies. */
export interface SocketKind {
  family: 'inet' | 'inet6' | 'unix' | 'other';
  type: 'stream' | 'dgram' | 'seqpacket' | 'raw' | 'other';
  protocol: 'tcp' | 'udp' | 'other';
  /** The SO_DOMAIN, SO_TYPE and SO_PROTOCOL numbers this kind was told from (getsockopt only; not in --json). */
  [KIND_NUMBERS]?: KindNumbers;
}

// Options whose value is an unsigned int (a mark, a timeout, a low-water mark that defaults to UINT_MAX).
const UNSIGNED = new Set(['SO_MARK', 'TCP_USER_TIMEOUT', 'TCP_NOTSENT_LOWAT']);
/** struct tcp_info as of Linux 6.x is 248 bytes; the kernel copies min(optlen, sizeof). */
const TCP_INFO_READ_SIZE = 256;

/** Why an option does not apply to this socket; undefined when it does. */
export function notApplicable(info: SocketOptionInfo, k: SocketKind): string | undefined {
  const what = k.family === 'unix' ? `a unix ${k.type} socket` : `a ${k.protocol === 'other' ? k.type : k.protocol} socket`;
  switch (info.appliesTo) {
    case 'any':
      return undefined;
    case 'tcp':
      return k.protocol === 'tcp' ? undefined : `TCP only; this is ${what}`;
    case 'udp':
      // SO_BROADCAST is about IP broadcast addresses: a unix datagram socket has none (Linux accepts the flag and ignores it).
      return (k.family === 'inet' || k.family === 'inet6') && (k.protocol === 'udp' || k.type === 'dgram') ? undefined : `IP datagram sockets only (UDP); this is ${what}`;
    case 'stream':
      return k.type === 'stream' || k.type === 'seqpacket' ? undefined : `stream sockets only; this is ${what}`;
    case 'ip':
      return k.family === 'inet' || k.family === 'inet6' ? undefined : `IP sockets only; this is ${what}`;
    case 'ipv6':
      return k.family === 'inet6' ? undefined : `AF_INET6 sockets only; this is ${k.family === 'inet' ? 'an AF_INET' : k.family === 'unix' ? 'an AF_UNIX' : 'another'} socket`;
  }
}

/** The getsockopt call for an option on a socket of this kind. */
export function readPlan(info: SocketOptionInfo, k: SocketKind): ReadPlan {
  // IPv4-level options with an IPv6-level twin (the reference's `ipv6`): the twin is the one used on AF_INET6 sockets.
  const twin = k.family === 'inet6' ? info.ipv6 : undefined;
  if (twin) return { info, readAs: twin.name, level: LINUX_LEVELS.IPPROTO_IPV6, optname: twin.linux, size: 4, kind: 'int' };
  const kind: OptionKind = UNSIGNED.has(info.name) ? 'uint' : info.type;
  const size = info.type === 'tcp_info' ? Math.max(info.size, TCP_INFO_READ_SIZE) : info.size;
  return { info, level: LINUX_LEVELS[info.level], optname: info.linux, size, kind };
}

/**
 * What an AF_INET6 socket sends: 'ipv6', 'ipv4' (bound or connected to a v4-mapped address ::ffff:a.b.c.d:
 * every packet is IPv4) or 'both' (bound to :: with IPV6_V6ONLY off: a dual-stack listener, or an
 * unconnected UDP socket, serving IPv4 and IPv6 peers alike).
 */
export type Ipv6Carries = 'ipv6' | 'ipv4' | 'both';

/** Tells from getsockname's address and IPV6_V6ONLY what an AF_INET6 socket sends. */
export function ipv6Carries(local: string | undefined, v6only: boolean | null): Ipv6Carries {
  if (local === undefined) return 'ipv6';
  const addr = local.replace(/^\[/, '').replace(/\](:\d+)?$/, '');
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(addr)) return 'ipv4';
  return addr === '::' && v6only === false ? 'both' : 'ipv6';
}

/**
 * The getsockopt calls for an option on a socket of this kind. IPv4 packets of an AF_INET6 socket take their
 * TTL and TOS from the IPv4-level options (IP_TTL, IP_TOS), not from the IPv6 twins (measured: an AF_INET6
 * UDP socket with IP_TTL 7 and IP_TOS 0x20 connected to ::ffff:127.0.0.1 sends TTL 7, TOS 0x20 while
 * IPV6_UNICAST_HOPS reads 64): a v4-mapped socket is read at the IPv4 level, a dual-stack one at both.
 */
export function readPlans(info: SocketOptionInfo, k: SocketKind, carries: Ipv6Carries = 'ipv6'): ReadPlan[] {
  const plan = readPlan(info, k);
  if (!plan.readAs || k.family !== 'inet6' || carries === 'ipv6') return [plan];
  const v4 = readPlan(info, { ...k, family: 'inet' });
  if (carries === 'ipv4') return [{ ...v4, readFor: 'IPv4 packets (v4-mapped address)' }];
  return [
    { ...plan, readFor: 'IPv6 peers' },
    { ...v4, readFor: 'IPv4 peers' },
  ];
}

/**
 * Separate Linux options the reference names under another entry (its `linuxRelated`): asked for by name, each is
 * read as itself, at its entry's level with its own optname, never as that entry (IP_MULTICAST_TTL read as IP_TTL
 * gave IP_TTL's value). The layout of each value, and where it differs from its entry's, which sockets it applies
 * to and its unit:
 * - SO_BINDTOIFINDEX (SOL_SOCKET 62): the interface index of the binding SO_BINDTODEVICE gives by name (0: none).
 * - SO_RCVTIMEO_NEW / SO_SNDTIMEO_NEW (SOL_SOCKET 66 / 67): the same timeouts as struct __kernel_sock_timeval
 *   (two 64-bit fields: struct timeval's layout on 64-bit Linux).
 * - TCP_FASTOPEN_CONNECT (IPPROTO_TCP 30): the client's Fast Open flag, an int 0 or 1.
 * - IP_MULTICAST_TTL (IPPROTO_IP 33): an int with a 4-byte optlen (a byte only when optlen is shorter; measured on
 *   6.18: 7 as 07 00 00 00), also on an AF_INET6 socket, where it is the TTL of its IPv4 multicast.
 * - Set only (getsockopt fails with ENOPROTOOPT on every socket): SO_RCVBUFFORCE, SO_SNDBUFFORCE and
 *   SO_ATTACH_REUSEPORT_CBPF / _EBPF. Read as themselves too: the reading says it failed, and the report says
 *   they cannot be read (interpret-options-report.ts setOnlyNote) while the option holding their effect is read along
 *   (DEPENDS_ON).
 */
const RELATED_READ: Readonly<Record<string, Pick<SocketOptionInfo, 'type' | 'size'> & Partial<Pick<SocketOptionInfo, 'appliesTo' | 'unit'>>>> = {
  SO_BINDTOIFINDEX: { type: 'int', size: 4 },
  SO_RCVTIMEO_NEW: { type: 'timeval', size: 16 },
  SO_SNDTIMEO_NEW: { type: 'timeval', size: 16 },
  TCP_FASTOPEN_CONNECT: { type: 'bool', size: 4 },
  IP_MULTICAST_TTL: { type: 'int', size: 4, unit: 'hops', appliesTo: 'udp' },
  SO_RCVBUFFORCE: { type: 'int', size: 4 },
  SO_SNDBUFFORCE: { type: 'int', size: 4 },
  SO_ATTACH_REUSEPORT_CBPF: { type: 'int', size: 4 },
  SO_ATTACH_REUSEPORT_EBPF: { type: 'int', size: 4 },
};

/**
 * The entry to read for a name: the reference's own, or, for a related Linux option (RELATED_READ), that option at
 * its entry's level with its own optname and layout. undefined for an unknown name. A related option the table
 * gains without a layout here is read with its own optname as an int rather than as its entry.
 */
export function optionToRead(name: string): SocketOptionInfo | undefined {
  const m = matchOption(name);
  if (!m) return undefined;
  const related = m.option.linuxRelated?.find((r) => r.name === m.name);
  if (!related) return m.option;
  const layout = RELATED_READ[related.name] ?? { type: 'int', size: 4 };
  const { aliases: _a, linuxRelated: _r, ipv6: _i, ipv6Alias: _ia, unit: _u, seeAlso: _s, sysctls: _y, ...entry } = m.option;
  return { ...entry, name: related.name, linux: related.linux, ...layout, summary: `${related.name}: ${related.note}`, seeAlso: [m.option.name] };
}

/**
 * The options another's meaning depends on, in the order they are read. The keepalive settings are unused while
 * SO_KEEPALIVE is off. TCP_KEEPCNT's meaning also needs TCP_USER_TIMEOUT, which replaces the count when set
 * (tcp_keepalive_timer drops the connection at the first probe past it, whatever the count), and TCP_KEEPIDLE and
 * TCP_KEEPINTVL, which give the time a dead peer goes unnoticed: without them "3 unanswered probes drop the
 * connection" contradicted the full read on a socket with TCP_USER_TIMEOUT set.
 */
const DEPENDS_ON: Readonly<Record<string, readonly string[]>> = {
  // Set only (SO_RCVBUFFORCE...): what they set shows in another option, read along.
  ...Object.fromEntries(Object.entries(SET_ONLY).map(([name, s]) => [name, [s.shownBy]])),
  // SO_RCVLOWAT grows a TCP receive buffer without fixing it (tcp_set_rcvlowat): SO_RCVBUF's verdict must know it.
  SO_RCVBUF: ['SO_RCVLOWAT'],
  // A connection's send buffer is proved fixed by tcp_info (cwnd and reordering: interpret-option-buffers.ts
  // unsentSndbufMax); the kernel view's tcp_info has no reordering.
  SO_SNDBUF: ['TCP_INFO'],
  TCP_KEEPIDLE: ['SO_KEEPALIVE'],
  TCP_KEEPINTVL: ['SO_KEEPALIVE'],
  TCP_KEEPCNT: ['SO_KEEPALIVE', 'TCP_KEEPIDLE', 'TCP_KEEPINTVL', 'TCP_USER_TIMEOUT'],
};

/**
 * The options to read for a request, with those another's meaning depends on (DEPENDS_ON): SO_RCVBUF for
 * SO_RCVBUFFORCE (set only) and the like, SO_RCVLOWAT for SO_RCVBUF, TCP_INFO for SO_SNDBUF, SO_KEEPALIVE for a keepalive setting, TCP_KEEPIDLE, TCP_KEEPINTVL and
 * TCP_USER_TIMEOUT for TCP_KEEPCNT; each one not asked for is placed just before the first option that needs it. `because` maps each added name to that option.
 */
export function withDependencies(infos: readonly SocketOptionInfo[]): { infos: SocketOptionInfo[]; because: Map<string, string> } {
  const out = [...infos];
  const because = new Map<string, string>();
  // An option added is looked at too (SO_RCVBUFFORCE needs SO_RCVBUF, which needs SO_RCVLOWAT).
  const pending = [...infos];
  for (let asked = pending.shift(); asked; asked = pending.shift()) {
    for (const dep of DEPENDS_ON[asked.name] ?? []) {
      if (out.some((i) => i.name === dep)) continue;
      const info = findOption(dep)!;
      out.splice(out.findIndex((i) => i.name === asked!.name), 0, info);
      because.set(dep, asked.name);
      pending.push(info);
    }
  }
  return { infos: out, because };
}

/** Options read when the caller does not choose: every one in the reference except SO_ERROR (reading clears it). */
export function defaultOptionNames(): string[] {
  return SOCKET_OPTIONS.filter((o) => !o.readClears).map((o) => o.name);
}

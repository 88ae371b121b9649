// What can be said about a socket's options without getsockopt: the values the kernel shows every user through
// ss/netlink (buffer sizes in skmem, congestion control, MSS, keepalive timer, state, IPV6_V6ONLY of a [::] socket),
// each labelled with its source.
import type { SocketOptionInfo } from '../knowledge/socket-options.js';
import type { Socket } from '../model/socket.js';
import type { DecodedValue } from './getsockopt-decode.js';
import type { OptionReading } from './getsockopt.js';
import { notApplicable, type SocketKind } from './getsockopt-options.js';
import { createSource } from './index.js';
import type { SocketSource } from './source.js';

/** Finds one socket by inode in a collector's snapshot (TCP/UDP first, then unix). */
export async function findKernelSocket(inode: number, source?: SocketSource, localPort?: number): Promise<{ socket: Socket; source: string } | null> {
  const src = source ?? createSource('auto');
  // With the local port known (getsockname on the borrowed fd), the collector filters kernel-side: one
  // socket's view must not cost a dump of every socket on a busy host.
  if (localPort) {
    const snap = await src.collect({ protocols: ['tcp', 'udp'], details: true, processes: 'none', port: localPort });
    const hit = snap.sockets.find((s) => s.inode === inode);
    if (hit) return { socket: hit, source: snap.source };
  }
  const snap = await src.collect({ protocols: ['tcp', 'udp'], details: true, processes: 'none' });
  let hit = snap.sockets.find((s) => s.inode === inode);
  let name: string = snap.source;
  if (!hit) {
    const unix = await src.collect({ protocols: ['unix'], details: true, processes: 'none' });
    hit = unix.sockets.find((s) => s.inode === inode);
    name = unix.source;
  }
  return hit ? { socket: hit, source: name } : null;
}

/** Socket kind as far as the collector shows it. */
export function kindOfKernelSocket(s: Socket | undefined): Partial<SocketKind> {
  if (!s) return {};
  if (s.protocol === 'unix') return { family: 'unix', type: s.unixType ?? 'stream', protocol: 'other' };
  return { family: s.ipVersion === 6 ? 'inet6' : 'inet', type: s.protocol === 'tcp' ? 'stream' : 'dgram', protocol: s.protocol };
}

/**
 * Why `info` does not apply to a socket of this kind, when the collector told the whole kind (a TCP option on a
 * UDP socket), as a getsockopt read says it; undefined when it applies or the kind is not known.
 */
export function notApplicableTo(info: SocketOptionInfo, kind: Partial<SocketKind>): string | undefined {
  return kind.family !== undefined && kind.type !== undefined && kind.protocol !== undefined ? notApplicable(info, kind as SocketKind) : undefined;
}

/**
 * Options the kernel shows every user through sock_diag (netlink, ss -m -i), and the part of that view each
 * comes from. /proc/net and netstat carry neither part: with those sources the value is not unknowable
 * without privilege, it only needs the other source.
 */
const VIEW_PART: Readonly<Record<string, { part: 'skmem' | 'tcpInfo' | 'v6only'; words: string; applies: (s: Socket) => boolean }>> = {
  SO_RCVBUF: { part: 'skmem', words: 'no socket memory (skmem)', applies: () => true },
  SO_SNDBUF: { part: 'skmem', words: 'no socket memory (skmem)', applies: () => true },
  TCP_CONGESTION: { part: 'tcpInfo', words: 'no tcp_info', applies: (s) => s.protocol === 'tcp' },
  TCP_INFO: { part: 'tcpInfo', words: 'no tcp_info', applies: (s) => s.protocol === 'tcp' },
  // INET_DIAG_SKV6ONLY (ss -e v6only:N); the collectors keep it for a socket on :: only (model/socket.ts).
  IPV6_V6ONLY: { part: 'v6only', words: 'no v6only', applies: onWildcardV6 },
};

/** An AF_INET6 socket bound to ::, the one whose v6only the collectors keep. */
function onWildcardV6(s: Socket): boolean {
  return s.ipVersion === 6 && s.local.address === '::' && s.protocol !== 'unix';
}

/** Collectors whose sockets never carry skmem or tcp_info (procfs.ts, netstat.ts). */
function viewLacksDiag(sourceName: string): boolean {
  return sourceName === 'procfs' || sourceName === 'netstat';
}

/**
 * Option readings derived from the kernel view alone. Every value says where it came from; the rest say
 * that getsockopt is needed and why it was not possible (`reason`), or, for a value netlink or ss shows every
 * user, that this source does not carry it. `summary`: the count line for the report's Missing list.
 */
export function kernelViewReadings(
  infos: readonly SocketOptionInfo[],
  s: Socket | undefined,
  sourceName: string,
  reason: string,
): { kind: Partial<SocketKind>; readings: OptionReading[]; summary: string } {
  const kind = kindOfKernelSocket(s);
  const short = reason.split(':')[0];
  let otherSource = 0;
  let inapplicable = 0;
  const readings = infos.map((info): OptionReading => {
    const na = notApplicableTo(info, kind);
    if (na) {
      inapplicable++;
      return { name: info.name, missing: `not applicable: ${na}` };
    }
    const derived = s ? derive(info.name, s, sourceName) : undefined;
    if (derived) return { name: info.name, value: derived.value, source: derived.source };
    if (info.name === 'TCP_INFO' && s?.tcpInfo) return { name: info.name, missing: `needs getsockopt; the kernel's tcp_info fields from ${sourceName} are shown above` };
    const view = VIEW_PART[info.name];
    if (s && view && s[view.part] === undefined && viewLacksDiag(sourceName) && view.applies(s)) {
      otherSource++;
      return { name: info.name, missing: `${sourceName} carries ${view.words}: --source netlink or ss shows it without privilege (getsockopt: ${short})` };
    }
    return { name: info.name, missing: s ? `needs getsockopt (${short})` : `unknown: no getsockopt (${short}) and the socket is not in the collector's list` };
  });
  const got = readings.filter((r) => r.value !== undefined).length;
  const unknown = readings.length - got - otherSource - inapplicable;
  const one = (n: number, singular: string, plural: string) => (n === 1 ? singular : plural);
  const summary =
    `${unknown} of ${readings.length} ${one(readings.length, 'option', 'options')} ${one(unknown, 'needs', 'need')} getsockopt on the socket itself and ${one(unknown, 'is', 'are')} unknown; ` +
    (otherSource ? `${otherSource} more ${one(otherSource, 'is', 'are')} shown to every user by --source netlink or ss (${sourceName} does not carry ${one(otherSource, 'it', 'them')}); ` : '') +
    (inapplicable ? `${inapplicable} ${one(inapplicable, 'does', 'do')} not apply to this socket; ` : '') +
    `${got} ${one(got, 'comes', 'come')} from what the kernel shows to every user`;
  return { kind, readings, summary };
}

function derive(name: string, s: Socket, src: string): { value: DecodedValue; source: string } | undefined {
  const tcp = s.protocol === 'tcp';
  switch (name) {
    case 'SO_TYPE':
      return { value: s.protocol === 'tcp' ? 1 : s.protocol === 'udp' ? 2 : ({ stream: 1, dgram: 2, seqpacket: 5 } as const)[s.unixType ?? 'stream'], source: `${src} netid` };
    case 'SO_DOMAIN':
      return { value: s.protocol === 'unix' ? 1 : s.ipVersion === 6 ? 10 : 2, source: `${src} address family` };
    case 'SO_PROTOCOL':
      return s.protocol === 'unix' ? { value: 0, source: `${src} netid` } : { value: tcp ? 6 : 17, source: `${src} netid` };
    case 'SO_ACCEPTCONN':
      return { value: s.state === 'LISTEN', source: `${src} state ${s.state}` };
    case 'SO_RCVBUF':
      return s.skmem ? { value: s.skmem.rcvbuf, source: `${src} skmem rb` } : undefined;
    case 'SO_SNDBUF':
      return s.skmem ? { value: s.skmem.sndbuf, source: `${src} skmem tb` } : undefined;
    case 'TCP_CONGESTION':
      return tcp && s.tcpInfo?.congestion ? { value: s.tcpInfo.congestion, source: `${src} tcp_info` } : undefined;
    case 'TCP_MAXSEG':
      return tcp && s.tcpInfo?.mss !== undefined && s.state !== 'LISTEN' ? { value: s.tcpInfo.mss, source: `${src} tcp_info mss (the current MSS, which TCP_MAXSEG returns on a connected socket)` } : undefined;
    case 'SO_KEEPALIVE':
      // The keepalive timer is armed only when SO_KEEPALIVE is on (and no retransmit timer is pending).
      return tcp && s.timer?.name === 'keepalive' ? { value: true, source: `${src} timer:(keepalive) is armed` } : undefined;
    case 'SO_BINDTODEVICE':
      return s.boundDevice ? { value: s.boundDevice, source: `${src} %${s.boundDevice} on the local address` } : undefined;
    case 'IPV6_V6ONLY':
      // sock_diag gives every user INET_DIAG_SKV6ONLY (ss -tlne prints v6only:0/1 unprivileged).
      return s.v6only !== undefined && onWildcardV6(s) ? { value: s.v6only, source: `${src} v6only:${s.v6only ? 1 : 0}` } : undefined;
    case 'TCP_INFO':
      return undefined; // shown separately as the kernel view's tcp_info
    default:
      return undefined;
  }
}

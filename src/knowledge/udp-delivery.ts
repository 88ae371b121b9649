// Where a datagram sent to a port of this host goes: the UDP sockets on the port as read around the send (owners,
// queue, drop counters), the ones the kernel hands it to, and whether one of them dropped it. Used by
// debug-connections --udp (datagram-diagnosis.ts), `try sendto` (interpret-try.ts), and a refused TCP connect to a
// UDP service (connect-diagnosis.ts).
import { isIP } from 'node:net';
import { listenerOwners, takes } from './connect-listeners.js';
import { bareAddress, formatHostPort } from './host-port.js';
import { fmtBytes } from '../advise/format.js';

/**
 * A UDP socket on this host on a destination's port, for debug-connections and `try sendto`: where it is bound, its
 * owners, its receive queue, and its drop counter (sk_drops) read just before (`dropsBefore`) and just after a datagram
 * was sent to the port, so that a datagram dropped by a full receive buffer is told from one delivered.
 */
export interface UdpSocketReading {
  /** As the kernel reports it: 0.0.0.0, ::, 127.0.0.1, ::1. */
  address: string;
  port: number;
  /** Set when the socket is connect()ed: it receives only from that peer ("127.0.0.1:5353"). */
  peer?: string;
  owners: { pid: number; name: string; fd?: number }[];
  /** The owner's uid when its processes are not visible. */
  uid?: number;
  inode?: number;
  /** SO_BINDTODEVICE: receives only what arrives on this interface. */
  device?: string;
  /** Bytes waiting to be read (Recv-Q). */
  queued: number;
  /** SO_RCVBUF as the kernel holds it (skmem rb); undefined when the source has no socket memory (procfs, netstat). */
  rcvbuf?: number;
  /** Its sk_drops before the datagram was sent; undefined when not read, or the source has no drop counter. */
  dropsBefore?: number;
  /** Its sk_drops after. */
  drops?: number;
}

/** "python3/4242", or who it could be when the processes are hidden (as listenerOwners says it). */
export function udpOwners(r: UdpSocketReading): string {
  return listenerOwners({ ...r, pending: r.queued });
}

/** "python3/4242 on 0.0.0.0:53"; the owners are the system's text: callers escape where they print. */
export function udpSocketName(r: UdpSocketReading): string {
  return `${udpOwners(r)} on ${formatHostPort(r.address, r.port)}${r.device ? ` (bound to device ${r.device})` : ''}`;
}

/** "python3/4242 is bound to 127.0.0.1:53": where datagrams to that address go instead. */
export function udpBoundText(r: UdpSocketReading): string {
  return `${udpOwners(r)} is bound to ${formatHostPort(r.address, r.port)}${r.device ? ` (device ${r.device})` : ''}`;
}

/** "7.31 KiB queued, receive buffer 8 KiB" ("7488 B queued" when the source cannot see the buffer). */
function udpQueueText(r: UdpSocketReading): string {
  return `${fmtBytes(r.queued)} queued${r.rcvbuf ? `, receive buffer ${fmtBytes(r.rcvbuf)}` : ''}`;
}

/**
 * The UDP sockets a datagram to `target` reaches, as the kernel scores them (udp4_lib_lookup2/compute_score): an
 * unconnected socket bound to the address itself, else to its family's wildcard, else (IPv4) a dual-stack [::]. A
 * connect()ed socket receives only from its peer: never a new sender's datagram. Several at the best score are a
 * SO_REUSEPORT group (the kernel hashes each sender to one) or SO_REUSEADDR sharers (the last bound takes it): all
 * are returned.
 */
export function udpReceivers(sockets: readonly UdpSocketReading[], target: string): UdpSocketReading[] {
  const t = bareAddress(target);
  const open = sockets.filter((s) => s.peer === undefined && takes(s.address, t));
  const v6 = isIP(t) === 6;
  const exact = open.filter((s) => s.address.toLowerCase() === t || s.address.toLowerCase() === `::ffff:${t}`);
  if (exact.length) return exact;
  const wild = open.filter((s) => s.address === (v6 ? '::' : '0.0.0.0') || s.address === '*');
  return wild.length ? wild : open;
}

/** The sockets on the port that do not receive datagrams sent to `target`: bound to other addresses (they are no conflict, and no receiver). */
export function udpElsewhere(sockets: readonly UdpSocketReading[], target: string): UdpSocketReading[] {
  const t = bareAddress(target);
  return sockets.filter((s) => s.peer === undefined && !takes(s.address, t));
}

/** What one datagram sent to a local UDP socket became, from the receivers' drop counters read around it. */
export interface UdpDelivery {
  receivers: UdpSocketReading[];
  /** The receivers whose drop counter rose while it was sent: the datagram (and others' sent meanwhile) was dropped there. */
  dropped: UdpSocketReading[];
  /** Whether the source gave drop counters before and after for every receiver. */
  dropsKnown: boolean;
  summary: string;
  details: string[];
  steps: string[];
}

/**
 * A datagram the kernel accepted for a local destination: delivered to which socket, or dropped there (sk_drops rose:
 * a full receive buffer, or a socket filter). Undefined when no socket receives it (an ICMP error came back instead).
 */
export function udpDelivery(sockets: readonly UdpSocketReading[], target: string): UdpDelivery | undefined {
  const receivers = udpReceivers(sockets, target);
  if (receivers.length === 0) return undefined;
  const dropsKnown = receivers.every((r) => r.drops !== undefined && r.dropsBefore !== undefined);
  const dropped = receivers.filter((r) => r.drops !== undefined && r.dropsBefore !== undefined && r.drops > r.dropsBefore);
  const group = receivers.length > 1 ? ` (${receivers.length} sockets share it: the kernel hands each sender to one of them)` : '';
  const details: string[] = [];
  const steps: string[] = [];
  let summary: string;
  if (dropped.length) {
    const r = dropped[0];
    const n = r.drops! - r.dropsBefore!;
    // Recv-Q of a UDP socket is its memory in use (sk_rmem_alloc, with each datagram's overhead), and the kernel drops
    // a datagram that would take it over rcvbuf: a small datagram's truesize is 1-4 KiB on loopback.
    const full = r.rcvbuf !== undefined && r.queued + 4096 >= r.rcvbuf;
    summary = `the datagram reached ${udpSocketName(r)}${group}, which dropped it: its drop counter rose by ${n} while it was sent (${udpQueueText(r)}); ${full ? 'its receive buffer is full: the program is not reading fast enough' : r.queued > 0 ? 'its receive queue was full at that moment, or a socket filter dropped it' : 'its queue is empty: a socket filter (SO_ATTACH_FILTER, a BPF program) or memory pressure (udp_mem) dropped it, not a full buffer'}`;
    if (n > 1) details.push(`the counter rose by ${n}, not 1: other senders' datagrams were dropped there in the same moment`);
    for (const x of dropped.slice(1)) details.push(`also dropped by ${udpSocketName(x)}: +${x.drops! - x.dropsBefore!} (${udpQueueText(x)})`);
    const pid = r.owners[0]?.pid;
    if (full || r.queued > 0) {
      steps.push(pid !== undefined ? `${udpOwners(r)} is not reading fast enough: see what it does (strace -f -p ${pid} -e trace=recvfrom,recvmsg,recvmmsg,poll,epoll_wait)` : `sockscope analyze --port ${r.port}   (who owns the socket, and is it reading?)`);
      steps.push(`read faster (recvmmsg() batches, more readers with SO_REUSEPORT), or give the socket a larger SO_RCVBUF (capped by net.core.rmem_max)`);
    } else steps.push(`ss -uam 'sport = :${r.port}'   (d rising with r at 0: a socket filter or udp_mem pressure; nstat -az UdpInErrors UdpRcvbufErrors UdpMemErrors)`);
    steps.push(`sockscope analyze --port ${r.port} --samples 5   (the socket's drops over time)`);
  } else if (!dropsKnown) {
    summary = `the datagram went to ${receivers.map(udpSocketName).join(', ')}${group}; whether it was dropped there cannot be told: this source has no drop counter (netlink, ss and /proc/net/udp have it)`;
  } else {
    summary = `the datagram was queued for ${receivers.length === 1 ? udpSocketName(receivers[0]) : `one of ${receivers.map(udpSocketName).join(', ')}`}${group}: no drop counter rose (${receivers.map(udpQueueText).join('; ')})`;
    const near = receivers.find((r) => r.rcvbuf !== undefined && r.queued >= r.rcvbuf / 2);
    if (near) details.push(`${udpSocketName(near)} holds ${udpQueueText(near)}: once it is full, new datagrams are dropped`);
  }
  return { receivers, dropped, dropsKnown, summary, details, steps };
}

/**
 * The next steps for a datagram refused at `target` while sockets on the port are bound to other addresses
 * (udpElsewhere): send to one of those (a wildcard as the loopback address of its family, a dual-stack * as 127.0.0.1),
 * tested with `command HOST:PORT`, or have the server bind the target too.
 */
export function udpSendInstead(elsewhere: readonly UdpSocketReading[], target: string, port: number, command: string): string[] {
  const at = (a: string) => (a === '0.0.0.0' || a === '*' || a === '' ? '127.0.0.1' : a === '::' ? '::1' : a);
  const to = [...new Set(elsewhere.map((x) => formatHostPort(at(x.address), port)))];
  return [
    ...to.slice(0, 3).map((x) => `send to ${x} instead: ${command} ${x}`),
    `or have the server bind ${formatHostPort(target, port)} too, or every address (${isIP(bareAddress(target)) === 6 ? '[::]' : '0.0.0.0'}:${port})`,
  ];
}

// The inspect-options report from one inspection: every option interpreted (interpret-options.ts), the unusual
// findings in one list, and what the kernel's own counters say about the socket.
import { acceptQueueIsFull } from '../advise/rules/accept-queue.js';
import { escapeControl } from '../model/escape.js';
import type { Sysctls } from '../model/snapshot.js';
import type { TcpFacts } from './interpret-option-buffers.js';
import { interpretOption, type KIND_NUMBERS, type KindNumbers, type OptionContext, type OptionInterpretation } from './interpret-options.js';

/** The parts of an inspection (getsockopt helper result) the report needs. */
export interface InspectionLike {
  socket: { state?: string; family?: string; type?: string; protocol?: string; local?: string; peer?: string; [KIND_NUMBERS]?: KindNumbers };
  /**
   * readFor: whose packets the reading applies to, when an AF_INET6 socket's IPv4 level was read too ('IPv4 peers').
   * readBecause: not asked for, read because that option's meaning depends on it (SO_KEEPALIVE for TCP_KEEPIDLE).
   */
  options: { name: string; value?: unknown; source?: string; readAs?: string; readFor?: string; readBecause?: string; missing?: string; errno?: string }[];
  sysctls: Sysctls;
  extraSysctls: Record<string, string | null>;
  fdFlags: { info?: { nonblock: boolean } };
  /** The collector's tcp_info, used when TCP_INFO was not read with getsockopt (the fallback). */
  kernelView?: { tcpInfo?: { rcvSpace?: number; mss?: number; cwnd?: number; bytesReceived?: number; bytesAcked?: number; bytesSent?: number; rcvOoopack?: number } };
  /** The kernel release (uname -r): what some verdicts depend on (OptionContext.kernel). */
  kernel?: string;
  /** struct tcp_info read with getsockopt, also when TCP_INFO was not asked for (read along for SO_RCVBUF's verdict, not shown). */
  tcpInfo?: unknown;
  /** The IPv4 listeners on the port of a [::] listener, when looked up (OptionContext.ipv4Listeners). */
  ipv4Listeners?: readonly string[];
}

export interface OptionReportRow extends OptionInterpretation {
  value?: unknown;
  source?: string;
  readAs?: string;
  readFor?: string;
  readBecause?: string;
  missing?: string;
}

/**
 * How a reading was made, as inspect-options and the monitor's socket view label it: "  [netlink]" for a value
 * from another source (escaped: a source name may quote the system), else "  [read as IPV6_TCLASS, for IPv6
 * peers]"; '' for a plain getsockopt reading.
 */
export function readingLabel(r: { source?: string; readAs?: string; readFor?: string; readBecause?: string }): string {
  if (r.source && r.source !== 'getsockopt') return `  [${escapeControl(r.source)}]`;
  const how = [r.readAs ? `read as ${r.readAs}` : '', r.readFor ? `for ${r.readFor}` : '', r.readBecause ? `not asked for: read for ${r.readBecause}` : ''].filter(Boolean).join(', ');
  return how ? `  [${how}]` : '';
}

/** The tcp_info facts the verdicts use: from getsockopt's struct tcp_info when read, else from the collector's. */
function tcpFacts(info: unknown, view: NonNullable<InspectionLike['kernelView']>['tcpInfo']): TcpFacts | undefined {
  if (info && typeof info === 'object' && 'rcvSpace' in info) {
    const t = info as { rcvSpace: number; sndMss: number; pmtu: number; sndCwnd?: number; reordering?: number; bytesReceived?: number; bytesAcked?: number; bytesSent?: number; rcvOoopack?: number };
    return { rcvSpace: t.rcvSpace, sndMss: t.sndMss, pmtu: t.pmtu, sndCwnd: t.sndCwnd, reordering: t.reordering, bytesReceived: t.bytesReceived, bytesAcked: t.bytesAcked, bytesSent: t.bytesSent, rcvOoopack: t.rcvOoopack };
  }
  if (view) return { rcvSpace: view.rcvSpace, sndMss: view.mss, sndCwnd: view.cwnd, bytesReceived: view.bytesReceived, bytesAcked: view.bytesAcked, bytesSent: view.bytesSent, rcvOoopack: view.rcvOoopack };
  return undefined;
}

/**
 * The related Linux options getsockopt cannot read (set only: it fails with ENOPROTOOPT on every socket, measured on
 * 6.18), with the option that shows what they set: the helper reads that one along (getsockopt-options.ts DEPENDS_ON).
 */
export const SET_ONLY: Readonly<Record<string, { shownBy: string; what: string }>> = {
  SO_RCVBUFFORCE: { shownBy: 'SO_RCVBUF', what: 'the size it sets shows as SO_RCVBUF (a value above twice net.core.rmem_max was set with it)' },
  SO_SNDBUFFORCE: { shownBy: 'SO_SNDBUF', what: 'the size it sets shows as SO_SNDBUF (a value above twice net.core.wmem_max was set with it)' },
  SO_ATTACH_REUSEPORT_CBPF: { shownBy: 'SO_REUSEPORT', what: 'the program it attaches cannot be read back either; SO_REUSEPORT says whether the socket shares its port with a group' },
  SO_ATTACH_REUSEPORT_EBPF: { shownBy: 'SO_REUSEPORT', what: 'the program it attaches cannot be read back either; SO_REUSEPORT says whether the socket shares its port with a group' },
};

/** What a reading of a set-only option says instead of the helper's "does not support it (ENOPROTOOPT)"; undefined for the others. */
function setOnlyNote(o: { name: string; value?: unknown; missing?: string }): string | undefined {
  const s = SET_ONLY[o.name];
  if (!s || o.value !== undefined || o.missing?.startsWith('not applicable')) return undefined;
  return `not readable: ${o.name} is set only (getsockopt fails with ENOPROTOOPT on every socket); ${s.what}`;
}

/** Every option of an inspection interpreted, plus the unusual findings in one list. */
export function buildOptionsReport(r: InspectionLike): { rows: OptionReportRow[]; unusual: string[] } {
  const values: Record<string, unknown> = {};
  for (const o of r.options) if (o.value !== undefined) values[o.name] = o.value;
  const ctx: OptionContext = { ...r.socket, sysctls: r.sysctls, extraSysctls: r.extraSysctls, values, nonblock: r.fdFlags.info?.nonblock, tcp: tcpFacts(values.TCP_INFO ?? r.tcpInfo, r.kernelView?.tcpInfo), kernel: r.kernel, ...(r.ipv4Listeners ? { ipv4Listeners: r.ipv4Listeners } : {}) };
  const rows = r.options.map((o): OptionReportRow => {
    // The option actually read (IPV6_UNICAST_HOPS for IP_TTL on an AF_INET6 socket) has its own default.
    const i = interpretOption(o.name, o.value, o.readAs ? { ...ctx, readAs: o.readAs } : ctx);
    return {
      ...i,
      ...(o.value !== undefined ? { value: o.value } : {}),
      ...(o.source ? { source: o.source } : {}),
      ...(o.readAs ? { readAs: o.readAs } : {}),
      ...(o.readFor ? { readFor: o.readFor } : {}),
      ...(o.readBecause ? { readBecause: o.readBecause } : {}),
      ...(o.missing ? { missing: setOnlyNote(o) ?? o.missing } : {}),
    };
  });
  return { rows, unusual: rows.filter((x) => x.unusual).map((x) => x.unusual!) };
}

/**
 * The report's line when no finding is unusual. "Every value read is a default" is a verdict only when
 * some value was read: with none (another user's socket, a source without skmem/tcp_info) there was
 * nothing to judge, and the report says so instead of reassuring.
 */
export function nothingUnusualLine(rows: readonly Pick<OptionReportRow, 'value'>[]): string {
  return rows.some((r) => r.value !== undefined)
    ? 'Unusual: nothing; every value read is a default or an ordinary choice.'
    : 'Unusual: nothing to judge: no option value could be read (see Missing below).';
}

/** The parts of the kernel's view of a socket (collector) that findings are drawn from. */
export interface KernelViewLike {
  state: string;
  /** 'tcp', 'udp', ...: what sk_drops counts depends on it (connectionDrops). */
  protocol?: string;
  recvQ: number;
  sendQ: number;
  /** The source cannot see sendQ (procfs prints 0 for a listener's backlog): no accept-queue verdict. */
  sendQUnknown?: boolean;
  skmem?: { rmemAlloc: number; rcvbuf: number; wmemAlloc: number; sndbuf: number; drops?: number };
  tcpInfo?: { retrans?: number; totalRetrans?: number };
}

/**
 * Why a listener's sk_drops rose. A full accept queue counts there (tcp_listendrop: TcpExtListenDrops, with
 * TcpExtListenOverflows), but so does every bare handshake ACK TCP_DEFER_ACCEPT discards on purpose while it waits
 * for the client's first data (tcp_check_req counts TcpExtTCPDeferAcceptDrop and returns no socket; tcp_v4_rcv
 * discards the ACK with sk_drops_add on the listener). Measured on 6.18, fresh network namespace: TCP_DEFER_ACCEPT 5,
 * three clients sending after 50 ms, queue 3/128 at most: d3, TCPDeferAcceptDrop +3, ListenOverflows and ListenDrops
 * +0; the same without the option: d0. So the option decides the wording: read and set, its ACKs (unless the queue is
 * full now); read and off, the queue; not read, both, with the counters that tell them apart.
 */
function listenerDrops(k: KernelViewLike, rows: readonly Pick<OptionReportRow, 'name' | 'value'>[]): string {
  const overflow = 'SYNs or connections dropped while the accept queue was full';
  const defer = rows.find((r) => r.name === 'TCP_DEFER_ACCEPT')?.value;
  if (defer === 0) return overflow;
  const counters = 'nstat -az TcpExtTCPDeferAcceptDrop TcpExtListenOverflows tells which (counters of the whole network namespace)';
  if (typeof defer !== 'number') return `${overflow}, or, if TCP_DEFER_ACCEPT is set (it was not read), the bare handshake ACKs it discards on purpose while it waits for data; ${counters}`;
  const acks = `the bare handshake ACKs TCP_DEFER_ACCEPT (${defer} s) discards on purpose while it waits for the client's first data`;
  if (acceptQueueIsFull(k.recvQ, k.sendQ, null)) return `${acks}, or ${overflow} (it is full now); ${counters}`;
  return `likely ${acks}, not an accept-queue overflow (the queue holds ${k.recvQ} of ${k.sendQ} now): nstat -az TcpExtTCPDeferAcceptDrop counts them; TcpExtListenOverflows would rise for an overflow`;
}

/**
 * Why a TCP connection's sk_drops rose. It counts every segment the socket discarded (tcp_drop_reason and
 * tcp_v4_rcv's discard_and_relse call sk_drops_add), not only those a full receive queue refused: an old or
 * duplicate segment, one outside the window, one failing PAWS, an out-of-order one dropped for memory, a backlog
 * overflow. Measured on 6.18, fresh network namespace: a client connected to a TCP_DEFER_ACCEPT 1 listener that
 * retransmits its SYN-ACK: the client's d1 with rmem 0 of 131072, TcpExtTCPSYNChallenge +1, TcpExtTCPRcvQDrop +0.
 * So the full buffer is named alone only when it is nearly full now (as the receive-buffer finding judges it);
 * otherwise the causes are listed with the nstat counters that tell them apart.
 */
function connectionDrops(k: KernelViewLike): string {
  const m = k.skmem!;
  const counters = 'nstat -az TcpExtTCPRcvQDrop TcpExtTCPZeroWindowDrop TcpExtTCPBacklogDrop TcpExtTCPOFODrop TcpExtPAWSEstab TcpExtDelayedACKLost TcpExtTCPSYNChallenge tells which (counters of the whole network namespace)';
  const causes = 'sk_drops on TCP counts every segment the socket discarded: a full receive queue (TcpExtTCPRcvQDrop, TcpExtTCPZeroWindowDrop), a full backlog while the application held the socket (TcpExtTCPBacklogDrop), out-of-order segments dropped for memory (TcpExtTCPOFODrop), duplicate data (TcpExtDelayedACKLost), a retransmitted SYN-ACK (TcpExtTCPSYNChallenge), other segments outside the window, a failed PAWS timestamp check (TcpExtPAWSEstab)';
  if (nearlyFull(m)) return `likely the receive buffer was full (it holds ${m.rmemAlloc} of ${m.rcvbuf} bytes now), though ${causes}; ${counters}`;
  return `not necessarily a full receive buffer (it holds ${m.rmemAlloc} of ${m.rcvbuf} bytes now): ${causes}; ${counters}`;
}

/** The receive buffer-full test of the findings: rmem at 90% of rcvbuf or more. */
function nearlyFull(m: NonNullable<KernelViewLike['skmem']>): boolean {
  return m.rcvbuf > 0 && m.rmemAlloc >= m.rcvbuf * 0.9;
}

/** What sk_drops means for this socket: a listener's and a TCP connection's have several causes; other sockets' a full buffer. */
function dropsCause(k: KernelViewLike, rows: readonly Pick<OptionReportRow, 'name' | 'value'>[]): string {
  if (k.state === 'LISTEN') return listenerDrops(k, rows);
  // protocol unknown (a caller without it): hedged as TCP, the wording that claims less.
  if (k.protocol === undefined || k.protocol === 'tcp') return connectionDrops(k);
  return 'the receive buffer was full';
}

/**
 * What the kernel's own counters say is wrong with the socket (drops, full queues, retransmits). `rows`: the
 * report's rows; a listener's TCP_INFO row already judges the accept queue (same predicate), so it is not said twice.
 */
export function kernelViewFindings(k: KernelViewLike | undefined, rows: readonly Pick<OptionReportRow, 'name' | 'value'>[] = []): string[] {
  if (!k) return [];
  const out: string[] = [];
  if (k.skmem?.drops) out.push(`the kernel dropped ${k.skmem.drops} packet(s) for this socket (skmem d): ${dropsCause(k, rows)}`);
  const queueJudged = rows.some((r) => r.name === 'TCP_INFO' && (r.value as { state?: string } | undefined)?.state === 'LISTEN');
  // Send-Q of a listener is its backlog; full is Recv-Q > backlog, as the kernel's sk_acceptq_is_full.
  if (k.state === 'LISTEN' && !queueJudged && !k.sendQUnknown && acceptQueueIsFull(k.recvQ, k.sendQ, null)) out.push(`accept queue full: ${k.recvQ} connection(s) waiting for accept() with a backlog of ${k.sendQ}`);
  if (k.state !== 'LISTEN' && k.skmem && nearlyFull(k.skmem)) out.push(`receive buffer ${Math.round((k.skmem.rmemAlloc / k.skmem.rcvbuf) * 100)}% full: the application is not reading fast enough`);
  if (k.tcpInfo?.retrans) out.push(`${k.tcpInfo.retrans} retransmission(s) outstanding right now`);
  return out;
}

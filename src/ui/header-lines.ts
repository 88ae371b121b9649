// The header's text: identity line, totals per state like `ss -s`, and the kernel counter rates that matter.
import { emptyStateCounts } from '../model/aggregate.js';
import { counter, type Snapshot } from '../model/snapshot.js';
import { counterRate } from '../model/history.js';
import { escapeControl } from '../model/escape.js';
import { ORPHAN_STATES } from '../model/socket.js';
import { clock, interval, rate, stringWidth } from './format.js';
import type { ProtocolToggles } from './derive.js';

/** Cells the Header's PAUSED badge takes from the identity line (" PAUSED " after a space). */
export const PAUSED_CELLS = 9;

/**
 * The first wording that fits `width` cells, or the last (shortest) one, which the Header then cuts; no
 * width (the plain table): the first. Picked by length, not by a breakpoint: at exactly 100 columns the
 * long totals ran to 101 cells with one-digit counts ("UDP 1  un…"), and they grow with the counts.
 */
function firstFitting(width: number | undefined, wordings: readonly string[]): string {
  if (width === undefined) return wordings[0];
  return wordings.find((w) => stringWidth(w) <= width) ?? wordings[wordings.length - 1];
}

/** One count of the TCP breakdown: its long and short names, and its rank when the line is too narrow. */
interface TotalPart {
  full: string;
  short: string;
  /** null: not known (shown as "?"). */
  value: number | null;
  /** Dropped in this order (lowest first) when the compact line does not fit; CLOSE_WAIT is never dropped. */
  keep: number;
}

/**
 * Orphans among the TCP sockets on local port `port`, counted as /proc/net/sockstat's "TCP: orphan" counts
 * them for the whole host (tcp_orphan_count: full sockets closed by their process, so without a socket
 * file, inode 0, that the kernel still finishes: FIN_WAIT1, CLOSING, LAST_ACK, and FIN_WAIT2 while it is
 * not yet a timewait socket, which sockstat counts under tw). null when a candidate's inode is unknown
 * (a source without inodes: busybox or BSD netstat), since then an orphan cannot be told from a socket
 * its process still holds.
 */
export function portOrphans(sockets: Snapshot['sockets'], port: number): number | null {
  let n = 0;
  for (const x of sockets) {
    if (x.protocol !== 'tcp' || x.local.port !== port || !ORPHAN_STATES.has(x.state)) continue;
    if (x.state === 'FIN_WAIT2' && x.timer?.name === 'timewait') continue;
    if (x.inode === undefined) return null;
    if (x.inode === 0) n++;
  }
  return n;
}

/**
 * "TCP 1234 (estab 100, syn-recv 2, time-wait 50, close-wait 3, fin-wait 1, orphan 0)  UDP 12  unix 300",
 * worded to fit `width`; "syn-sent N", "closing N" (LAST_ACK, CLOSING) and "closed N" (CLOSE) appear when
 * there are any, so the parts always add up to the TCP count; "orphan" is the host's (sockstat), or with
 * `port` (--port, whose sockets the snapshot holds) the port's own (portOrphans). `unixCollected` false: unix sockets were not
 * asked for (x or --unix collects them), so their count is unknown, not 0. Narrower than the compact line
 * ("TCP 1234 (est 100 ... orph 0)  UDP 12  unix -"), parts of the breakdown go, those at 0 first, then the
 * least telling (orphan, listen, closed, closing, fin-wait, syn-sent, syn-recv, estab, time-wait), and "…"
 * says some are left out: the totals and close-wait stay, and no number is cut in the middle.
 */
export function totalsLine(s: Snapshot, opts: { width?: number; unixCollected?: boolean; port?: number } = {}): string {
  // One pass, no copy of the TCP sockets (this runs on every refresh).
  const c = emptyStateCounts();
  let tcp = 0;
  let udp = 0;
  let unix = 0;
  for (const x of s.sockets) {
    if (x.protocol === 'tcp') {
      tcp++;
      c[x.state]++;
    } else if (x.protocol === 'udp') udp++;
    else if (x.protocol === 'unix') unix++;
  }
  // The host's orphans (sockstat) unless the view is one port (--port): then, as every other count here,
  // the port's own (portOrphans; "?" when the source cannot tell).
  const orphan = opts.port !== undefined ? portOrphans(s.sockets, opts.port) : counter(s.counters.sockstat, 'TCP', 'orphan');
  const orphanKnown = opts.port !== undefined || orphan != null;
  const part = (full: string, short: string, value: number | null, keep: number): TotalPart => ({ full, short, value, keep });
  const parts = [
    part('estab', 'est', c.ESTABLISHED, 8),
    part('listen', 'lis', c.LISTEN, 2),
    part('syn-recv', 'syn', c.SYN_RECV, 7),
    part('time-wait', 'tw', c.TIME_WAIT, 9),
    part('close-wait', 'cw', c.CLOSE_WAIT, Number.POSITIVE_INFINITY),
    part('fin-wait', 'fin', c.FIN_WAIT1 + c.FIN_WAIT2, 5),
  ];
  // The rarer states only when present, so that the breakdown always adds up to the TCP total (a pile of
  // SYN_SENT to a dead backend was counted in it and shown nowhere).
  if (c.SYN_SENT > 0) parts.splice(3, 0, part('syn-sent', 'sent', c.SYN_SENT, 6));
  const closing = c.LAST_ACK + c.CLOSING;
  if (closing > 0) parts.push(part('closing', 'clo', closing, 4));
  // CLOSE is not closing: a socket bound and never listened on or connected, or one whose connect failed
  // (ss: UNCONN; netstat's CLOSED, BOUND, DELETE_TCB). It was counted in "closing".
  if (c.CLOSE > 0) parts.push(part('closed', 'cld', c.CLOSE, 3));
  if (orphanKnown) parts.push(part('orphan', 'orph', orphan ?? null, 1));
  const line = (shown: readonly TotalPart[], compact: boolean, unixText: string, gap = '  ') => {
    const words = shown.map((p) => `${compact ? p.short : p.full} ${p.value ?? '?'}`);
    if (shown.length < parts.length) words.push('…');
    return `TCP ${tcp} (${words.join(compact ? ' ' : ', ')})${gap}UDP ${udp}${gap}${unixText}`;
  };
  const collected = opts.unixCollected !== false;
  const unixLong = collected ? `unix ${unix}` : 'unix not collected';
  const unixShort = collected ? `unix ${unix}` : 'unix -';
  const wordings = [line(parts, false, unixLong), line(parts, true, unixLong), line(parts, true, unixShort)];
  if (opts.width !== undefined && stringWidth(wordings[2]) > opts.width) {
    // Parts at 0 go first, then by rank; each shorter wording keeps the parts' own order.
    const dropOrder = parts.filter((p) => p.keep !== Number.POSITIVE_INFINITY).sort((a, b) => Number(a.value !== 0) - Number(b.value !== 0) || a.keep - b.keep);
    const dropped = new Set<TotalPart>();
    for (const p of dropOrder) {
      dropped.add(p);
      wordings.push(line(parts.filter((q) => !dropped.has(q)), true, unixShort));
    }
    wordings.push(line(parts.filter((q) => !dropped.has(q)), true, unixShort, ' '));
  }
  return firstFitting(opts.width, wordings);
}

/**
 * A UDP counter's rate over IPv4 (Udp, /proc/net/snmp) and IPv6 (Udp6, /proc/net/snmp6) together: IPv6
 * drops are counted only in Udp6, and 1200 of them in 3 s read "0/s" here. Null when neither is known.
 */
function udpRate(history: readonly Snapshot[], key: string): number | null {
  const v4 = counterRate(history, 'snmp', 'Udp', key);
  const v6 = counterRate(history, 'snmp', 'Udp6', key);
  return v4 == null && v6 == null ? null : (v4 ?? 0) + (v6 ?? 0);
}

/** Per-second rates of listen overflows, retransmitted segments and UDP (IPv4 + IPv6) receive-buffer errors, worded to fit `width`. */
export function ratesLine(history: readonly Snapshot[], width?: number): string {
  const overflows = counterRate(history, 'netstat', 'TcpExt', 'ListenOverflows');
  const drops = counterRate(history, 'netstat', 'TcpExt', 'ListenDrops');
  const retrans = counterRate(history, 'snmp', 'Tcp', 'RetransSegs');
  const udpRcvbuf = udpRate(history, 'RcvbufErrors');
  const udpIn = udpRate(history, 'InErrors');
  const full = `listen overflows ${rate(overflows)}  drops ${rate(drops)}  retransmits ${rate(retrans)}  UDP rcvbuf errors ${rate(udpRcvbuf)}  in-errors ${rate(udpIn)}`;
  return firstFitting(width, [full, `overflows ${rate(overflows)} drops ${rate(drops)} retrans ${rate(retrans)} udp-rcvbuf-err ${rate(udpRcvbuf)} in-err ${rate(udpIn)}`]);
}

/** What the monitor says when process attribution could not see every owner (the plain table prints the notes instead). */
export function hiddenOwners(s: Snapshot, short = false): string | undefined {
  const a = s.attribution;
  if (a.complete) return undefined;
  if (a.hiddenProcesses > 0) return short ? "others' processes hidden (root)" : "other users' processes hidden (run as root)";
  // A remote host's note is long ("processes on admin@web1 are those its ss -p shows to the ssh user"): its short wording fits 80 columns.
  return escapeControl((short ? a.short : undefined) ?? a.note ?? 'process owners incomplete');
}

/**
 * "sockscope · web1 · tcp+udp · netlink · every 1s · 12:34 · 6.1.0"; `owners` adds what attribution could
 * not see. With `width`, parts go in this order until the line fits, so the note that other users'
 * processes are hidden is read in full at 80 columns: the source, the name, the note's long wording, the
 * clock. The kernel comes last and is cut by the Header when there is no room for it.
 */
export function identityLine(s: Snapshot | undefined, intervalMs: number | undefined, toggles: ProtocolToggles, port?: number, owners = false, width?: number): string {
  const protos = (['tcp', 'udp', 'unix'] as const).filter((p) => toggles[p]).join('+');
  const every = intervalMs !== undefined ? `every ${interval(intervalMs)}` : undefined;
  const what = port !== undefined ? `${protos} port ${port}` : protos;
  if (!s) return ['sockscope', 'collecting…', what, ...(every ? [every] : [])].join(' · ');
  const host = escapeControl(s.hostname);
  const kernel = escapeControl(s.kernel);
  const line = (o: { brand: boolean; source: boolean; clock: boolean; short: boolean }) => {
    const hidden = owners ? hiddenOwners(s, o.short) : undefined;
    const parts = [o.brand ? 'sockscope' : undefined, host, what, o.source ? s.source : undefined, every, o.clock ? clock(s.time) : undefined, hidden];
    return parts.filter((p): p is string => p !== undefined).join(' · ');
  };
  const fitted = firstFitting(width === undefined ? undefined : width - 3, [
    line({ brand: true, source: true, clock: true, short: false }),
    line({ brand: true, source: false, clock: true, short: false }),
    line({ brand: false, source: false, clock: true, short: false }),
    line({ brand: false, source: false, clock: true, short: true }),
    line({ brand: false, source: false, clock: false, short: true }),
  ]);
  return `${fitted} · ${kernel}`;
}

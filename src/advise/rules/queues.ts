// Send-Q / Recv-Q persistently large on established sockets: the peer or the application is not reading.
import type { Snapshot } from '../../model/snapshot.js';
import { escapeControl } from '../../model/escape.js';
import type { Socket } from '../../model/socket.js';
import { factsFor, factsOf, groupLabel, groupPortFields, socketKey, type ConnGroup } from '../facts.js';
import { describeProcesses, fmtBytes, fmtEndpoint, fmtSeconds, uniqueProcesses } from '../format.js';
import type { Rule } from '../rule.js';
import { hasPersistence, recentOf } from '../series.js';
import { queueFull, th } from '../thresholds.js';
import type { Recommendation, RuleContext } from '../types.js';
import { confirmOn, onHost, ssFilter } from './common.js';

/** The socket's samples over the recent snapshots (null where it was absent). */
function samplesOf(recent: readonly Snapshot[], s: Socket): (Socket | null)[] {
  const k = socketKey(s);
  return recent.map((snap) => factsOf(snap).byKey.get(k) ?? null);
}

interface Stuck {
  s: Socket;
  stalled: boolean;
  /**
   * Send-Q: the probe timer (timer persist) in every sample, and what tcp_info says of the peer's window:
   * 'shut' (snd_wnd under one segment in every sample), 'open' (a segment's worth or more in every sample:
   * the kernel cannot send for local reasons), 'changed' (shut in some samples, open in others), 'unknown'
   * (no snd_wnd in some sample: this source does not show it).
   */
  closed?: boolean;
  window?: WindowState;
  /** Recv-Q: what the application read (copied out) over the samples, bytes, and over how many seconds; null when not measurable. */
  read?: { bytes: number; seconds: number } | null;
}

/** What the application has read from the socket so far: bytes received from the peer less those still queued. */
function consumed(x: Socket): number | null {
  const r = x.tcpInfo?.bytesReceived;
  return r != null && !x.recvQUnknown ? r - x.recvQ : null;
}

type Which = 'recvQ' | 'sendQ';

type WindowState = 'shut' | 'open' | 'changed' | 'unknown';

/**
 * The peer's window in one sample, from tcpi_snd_wnd. The kernel arms its probe timer (ICSK_TIME_PROBE0,
 * which ss and procfs show as persist) whenever it holds data it cannot send with nothing in flight: a window
 * the peer shut, but also a local drop (measured, 6.18: an nft output rule dropping the port, 1000 B sent:
 * timer:(persist,...) backoff:7 with snd_wnd:65483). A window under one segment (snd_mss) is shut for the
 * sender (tcp_snd_wnd_test); receivers advertise 0 rather than less than a segment.
 */
function windowOf(x: Socket): 'shut' | 'open' | 'unknown' {
  const w = x.tcpInfo?.sndWnd;
  if (w == null) return 'unknown';
  return w === 0 || w < (x.tcpInfo?.mss ?? 1) ? 'shut' : 'open';
}

/**
 * Whether one sample of a socket holds a full queue. A receiver that never reads does not autotune its
 * buffer (tcp_rcv_space_adjust follows what the application copies out), so its Recv-Q stops near
 * tcp_rmem[1] (measured, 6.18: Recv-Q 127,973 of skmem rb 131,072, r 130,469: 99.5%) and never reaches an
 * absolute megabyte: full is the memory in use (skmem r/w, the truesize: on 1500-byte links the payload is
 * about half of it) at queueBufferRatio of the socket's own buffer (skmem rb/tb), else queueBytes. The ratio
 * is high because a reader that keeps up still has a segment in transit at any sample: with SO_RCVBUF 32768
 * (rb 65,536) one 32 KiB loopback segment is half the buffer (measured: Recv-Q 32,768, r 33,600 in every
 * sample while it read 100 MB/s).
 * A zero-window persist timer on a socket with data to send is a full send queue whatever its size
 * (measured: 472,027 bytes stuck of tb 3,939,840, timer:(persist)).
 */
function isFull(ctx: RuleContext, x: Socket, which: Which): boolean {
  const q = x[which];
  if (q <= 0) return false;
  if (q >= th(ctx, 'queueBytes')) return true;
  if (which === 'sendQ' && x.timer?.name === 'persist') return true;
  // This end advertises a zero window: the queue is full for the sender, whatever its share of the buffer (a
  // small SO_RCVBUF, 4096: Recv-Q 4096 of rb 8192, r 5760 (70%), rcv_wnd 0; measured 6.18), never queueBufferRatio.
  if (which === 'recvQ' && x.tcpInfo?.rcvWnd === 0) return true;
  const u = usage(x, which);
  return u != null && queueFull(u.used, u.buf, th(ctx, 'queueBufferRatio'));
}

/** The queue's memory in use and its buffer, from skmem (null without it). */
function usage(x: Socket, which: Which): { used: number; buf: number } | null {
  const m = x.skmem;
  if (!m) return null;
  const buf = which === 'recvQ' ? m.rcvbuf : m.sndbuf;
  const used = Math.max(x[which], which === 'recvQ' ? m.rmemAlloc : (m.wmemQueued ?? 0));
  return buf > 0 ? { used, buf } : null;
}

/**
 * The retransmission timer has expired on the socket (timer:(on,...,N) with N > 0, or tcp_info's
 * retransmits outstanding): segments are lost, not held back by a shut window. Measured (6.18, loopback in
 * a namespace, nft dropping the peer's port after a bulk transfer): Send-Q 2.47 MiB, timer:(on,...,4)
 * backoff:4, no persist timer: that is socket-retransmitting's, not a peer that stopped reading.
 */
function retransmitting(x: Socket): boolean {
  if (x.timer?.name === 'on' && (x.timer.retrans ?? 0) > 0) return true;
  return (x.tcpInfo?.retrans ?? 0) > 0;
}

function findStuck(ctx: RuleContext, g: ConnGroup, which: Which): Stuck[] {
  const recent = recentOf(ctx);
  const out: Stuck[] = [];
  for (const s of g.sockets) {
    if (s.state !== 'ESTABLISHED' || !isFull(ctx, s, which)) continue;
    const samples = samplesOf(recent, s);
    if (samples.some((x) => x == null || !isFull(ctx, x, which))) continue;
    // A send queue the path holds (the retransmission timer backing off) says nothing about the reader.
    if (which === 'sendQ' && samples.some((x) => retransmitting(x!))) continue;
    const first = samples[0]!;
    // Progress is what moves the queue: for Send-Q the bytes the peer acknowledged; for Recv-Q the bytes the
    // application read (bytes_received - Recv-Q). bytes_received alone counts what arrives from the peer,
    // which stops while a slow reader keeps the window shut (a reader at 1 KiB/s was called "not reading").
    const p0 = which === 'sendQ' ? first.tcpInfo?.bytesAcked : consumed(first);
    const p1 = which === 'sendQ' ? s.tcpInfo?.bytesAcked : consumed(s);
    const unchanged = samples.every((x) => x![which] === s[which]);
    // Without tcp_info: a Recv-Q that fell between two samples was read from; one that never fell (the same, or
    // growing) shows no reading at all (README: "not reading" when Recv-Q never fell).
    const fell = samples.some((x, i) => i > 0 && x![which] < samples[i - 1]![which]);
    const noProgress = p0 != null && p1 != null ? p1 <= p0 : which === 'recvQ' ? !fell : unchanged;
    // The probe timer in every sample: the peer has kept its window shut all along, unless tcp_info shows the
    // window open (then the kernel cannot send for local reasons: see windowOf).
    const persistTimer = which === 'sendQ' && samples.every((x) => x!.timer?.name === 'persist');
    const states = persistTimer ? samples.map((x) => windowOf(x!)) : [];
    const window: WindowState | undefined = !persistTimer
      ? undefined
      : states.includes('unknown')
        ? 'unknown'
        : states.every((w) => w === 'shut')
          ? 'shut'
          : states.every((w) => w === 'open')
            ? 'open'
            : 'changed';
    // A bulk sender keeps its send queue full while data flows: only a stalled send queue, or one the
    // peer's zero window holds back (a slow reader: some progress), is a problem.
    if (which === 'sendQ' && !noProgress && !persistTimer) continue;
    const seconds = (recent[recent.length - 1].time - recent[0].time) / 1000;
    const read = which === 'recvQ' && p0 != null && p1 != null && seconds > 0 ? { bytes: Math.max(0, p1 - p0), seconds } : null;
    out.push({ s, stalled: noProgress, read, ...(which === 'sendQ' ? { closed: persistTimer, window } : {}) });
  }
  return out.sort((a, b) => b.s[which] - a.s[which]);
}

/** A stuck socket named by the side that differs within its group: its local endpoint for outgoing connections (all to one peer port), its peer's for incoming ones. */
function sockName(x: Stuck, g: ConnGroup): string {
  return fmtEndpoint(g.direction === 'out' ? x.s.local : x.s.peer);
}

function detail(x: Stuck, which: Which, g: ConnGroup): string {
  const s = x.s;
  const u = usage(s, which);
  const name = which === 'recvQ' ? 'rcvbuf' : 'sndbuf';
  const mem = u ? `, ${fmtBytes(u.used)} in use of ${name} ${fmtBytes(u.buf)} (${Math.round((100 * u.used) / u.buf)}%)` : '';
  const pace = x.stalled ? ' (no progress)' : x.read ? ` (read ${fmtBytes(x.read.bytes)} in ${fmtSeconds(x.read.seconds)}: ${readRate(x.read)})` : '';
  const wnd = s.tcpInfo?.sndWnd;
  const probes =
    s.timer?.name !== 'persist'
      ? ''
      : x.window === 'changed'
        ? ` (probe timer: timer persist; snd_wnd changed between the samples, shut in some and open in others: now ${wnd})`
        : wnd != null && windowOf(s) === 'open'
        ? ` (probe timer: timer persist, yet the peer's window is open: snd_wnd ${wnd})`
        : ` (zero-window probes: timer persist${wnd != null ? `, snd_wnd ${wnd}` : ''})`;
  const shut = which === 'recvQ' && s.tcpInfo?.rcvWnd === 0 ? ' (receive window shut: rcv_wnd 0)' : '';
  return `${sockName(x, g)} ${which === 'recvQ' ? 'Recv-Q' : 'Send-Q'} ${fmtBytes(s[which])}${mem}${pace}${probes}${shut}`;
}

function readRate(r: { bytes: number; seconds: number }): string {
  return `${fmtBytes(r.bytes / r.seconds)}/s`;
}

/**
 * "is not reading", "reads too slowly (1 KiB/s)", or both for a group where some connections are read and
 * some are not: the rate is what the application read between the first and the last sample.
 */
function readerVerdict(stuck: readonly Stuck[]): string {
  const slow = stuck.filter((x) => !x.stalled);
  const stalled = stuck.length - slow.length;
  if (slow.length === 0) return 'is not reading';
  const rates = slow.filter((x) => x.read).map((x) => x.read!.bytes / x.read!.seconds);
  const lo = Math.min(...rates);
  const hi = Math.max(...rates);
  const rate = rates.length === 0 ? '' : rates.length === 1 || fmtBytes(lo) === fmtBytes(hi) ? ` (${fmtBytes(hi)}/s${slow.length > 1 ? ' each' : ''})` : ` (${fmtBytes(lo)}/s to ${fmtBytes(hi)}/s per connection)`;
  if (stalled === 0) return `reads too slowly${rate}`;
  return `is not reading ${stalled} of them and reads the other${slow.length === 1 ? '' : ` ${slow.length}`} too slowly${rate}`;
}

/**
 * Send-Q: "the peer is not reading" only where zero-window probes show its window shut in every sample;
 * a queue that stalls without them (a source that shows no timers) may as well be a path that drops.
 */
function sendVerdict(stuck: readonly Stuck[], g: ConnGroup): string {
  if (stuck.every((x) => x.window === 'shut')) return `the peer is not reading${stuck.every((x) => x.stalled) ? '' : ' fast enough'}`;
  if (stuck.every((x) => x.window === 'open'))
    return "the peer's window is open (tcp_info snd_wnd) yet the kernel keeps its probe timer (timer persist): packets are dropped or held on this host (a firewall output rule, a qdisc, the route), not by the peer";
  if (stuck.every((x) => x.closed) && stuck.some((x) => x.window !== 'unknown')) return `the probe timer (timer persist) runs in every sample; ${mixedWindows(stuck, g)}`;
  if (stuck.every((x) => x.closed))
    return "the probe timer (timer persist) runs in every sample: the peer's window is shut (the peer is not reading), or this host cannot send (a local firewall drop); this source does not show the peer's window (snd_wnd) to tell them apart";
  return 'nothing is acknowledged and no zero-window probes show a shut window: the peer is not reading, or the path drops packets';
}

/**
 * Which sockets of a group with the probe timer in every sample have the peer's window shut, which open,
 * which changed between the samples, and which show none: "the peer's window is shut on A (the peer is not
 * reading) and is open on B (this host cannot send: a local drop)", each named as the evidence names it.
 */
function mixedWindows(stuck: readonly Stuck[], g: ConnGroup): string {
  const list = (xs: readonly Stuck[]) => `${xs.slice(0, 3).map((x) => sockName(x, g)).join(', ')}${xs.length > 3 ? ` and ${xs.length - 3} more` : ''}`;
  const of = (w: WindowState) => stuck.filter((x) => x.window === w);
  const parts: string[] = [];
  const shut = of('shut');
  if (shut.length) parts.push(`is shut on ${list(shut)} (the peer is not reading${shut.every((x) => x.stalled) ? '' : ' fast enough'})`);
  const open = of('open');
  if (open.length) parts.push(`is open on ${list(open)} (this host cannot send: a local drop)`);
  const changed = of('changed');
  if (changed.length) parts.push(`changed between the samples on ${list(changed)} (shut in some, open in others)`);
  const unknown = of('unknown');
  if (unknown.length) parts.push(`is not shown on ${list(unknown)} (no snd_wnd in some sample)`);
  const joined = parts.length <= 2 ? parts.join(' and ') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
  return `the peer's window ${joined}`;
}

/** The fix for a stuck Send-Q: the reading side only where a shut window may be the cause; local drops and the path where they may. */
function sendFix(ctx: RuleContext, stuck: readonly Stuck[], g: ConnGroup): string {
  const on = onHost(ctx);
  const peer = stuck.some((x) => x.window !== 'open');
  const local = stuck.some((x) => x.window === 'open' || x.window === 'changed' || x.window === 'unknown');
  const path = stuck.some((x) => !x.closed);
  const checks: string[] = [];
  if (local)
    checks.push(
      `${peer ? `Where the peer's window is open (${on}ss -tnio: snd_wnd above 0 with timer:(persist)), look` : 'Look'} for local drops: ${on}nft list ruleset; iptables -S; iptables -t mangle -S; tc -s qdisc; ip route get ${escapeControl(stuck[0].s.peer.address)}; and any socket-retransmitting finding. `,
    );
  if (path) checks.push(`Look at the timer first (${on}ss -tnoi: timer:(persist) is a shut window, timer:(on,...,N) with N growing is loss on the path: ${on}ping, tracepath, firewall rules). `);
  if (peer)
    checks.push(
      'Fix the reading side (the peer); on this side apply backpressure (stop writing when write() returns EAGAIN / Node write() returns false until "drain") and bound per-connection buffers; TCP_USER_TIMEOUT drops peers that stop reading for good. ',
    );
  return `${checks.join('')}${confirmOn(ctx)}ss -tnio state established ${ssFilter(g)} (Send-Q, timer:(persist), snd_wnd)`;
}

/** What counted as full, for the evidence. */
function criterion(ctx: RuleContext, which: Which): string {
  const pct = Math.round(th(ctx, 'queueBufferRatio') * 100);
  const buf = which === 'recvQ' ? 'rcvbuf in use (skmem r of rb)' : 'sndbuf in use (skmem w of tb)';
  return `full in each: at least ${pct}% of the socket's ${buf} or ${fmtBytes(th(ctx, 'queueBytes'))} queued${which === 'sendQ' ? ', or the probe timer (timer persist)' : ', or a receive window this end shut (tcp_info rcv_wnd 0)'}`;
}

function makeRule(which: Which): Rule {
  const recv = which === 'recvQ';
  const id = recv ? 'recv-q-persistent' : 'send-q-persistent';
  return {
    id,
    severities: ['warning'],
    scope: 'socket',
    topic: 'queues',
    summary: recv
      ? 'Established sockets keep their Recv-Q full for persistSamples samples (memory in use, skmem r, at least queueBufferRatio of the socket\'s own receive buffer, skmem rb, where the source shows it; or queueBytes queued): the owning application is not reading (it read nothing between the samples: bytes_received - Recv-Q did not grow, or without tcp_info Recv-Q never fell), or reads too slowly (the message gives the rate it read at). Needs history. A reader that keeps up is not full: with a small SO_RCVBUF one segment in transit is already half the buffer (Recv-Q 32 KiB of rb 64 KiB on loopback), hence the high ratio.'
      : 'Established sockets keep their Send-Q full for persistSamples samples (zero-window probes, timer persist, in every sample; or skmem w at least queueBufferRatio of skmem tb, or queueBytes queued, with no data acknowledged): the peer is not reading when its window is shut (timer persist in every sample with tcp_info snd_wnd under one segment); the same probe timer with the window open (snd_wnd a segment or more) is a local drop (a firewall output rule, a qdisc), and where the source shows no snd_wnd (ss, procfs, kernels before 5.4) the message names both; in a group whose windows differ (some shut, some open) or changed between the samples it names which sockets are which; without the timer it says the path may drop as well. Sockets whose retransmission timer has expired (timer on with a retransmit count, tcp_info retransmits) are left to the retransmission rules. Needs history.',
    thresholds: ['queueBufferRatio', 'queueBytes', 'persistSamples'],
    evaluate(ctx) {
      if (!hasPersistence(ctx)) return [];
      const out: Recommendation[] = [];
      for (const g of factsFor(ctx).groups.values()) {
        if (g.protocol !== 'tcp') continue;
        const stuck = findStuck(ctx, g, which);
        if (stuck.length === 0) continue;
        const procs = uniqueProcesses(stuck.map((x) => x.s.processes));
        const who = procs.length ? describeProcesses(procs) : 'the owning process';
        const n = recentOf(ctx).length;
        out.push({
          id,
          severity: 'warning',
          scope: 'socket',
          ...groupPortFields(g),
          ...(procs.length === 1 ? { pid: procs[0].pid } : {}),
          message: recv
            ? `${stuck.length} established connection${stuck.length === 1 ? '' : 's'} on ${groupLabel(g)} keep${stuck.length === 1 ? 's' : ''} data unread in Recv-Q: ${who} ${readerVerdict(stuck)}`
            : `${stuck.length} established connection${stuck.length === 1 ? '' : 's'} on ${groupLabel(g)} cannot send: ${sendVerdict(stuck, g)} (Send-Q stays full)`,
          evidence: `over ${n} samples (${criterion(ctx, which)}): ${stuck.slice(0, 3).map((x) => detail(x, which, g)).join('; ')}${stuck.length > 3 ? `; ${stuck.length - 3} more` : ''}`,
          fix: recv
            ? `Read until EAGAIN on every readiness event and never block the event loop or the reading thread; check for a stuck worker (${onHost(ctx)}strace ${procs.length ? `-f ${procs.slice(0, 3).map((p) => `-p ${p.pid}`).join(' ')}` : '-f -p PID'} -e trace=read,recvfrom,epoll_wait). ${confirmOn(ctx)}ss -tnm state established ${ssFilter(g)} (Recv-Q should drain to 0)`
            : sendFix(ctx, stuck, g),
        });
      }
      return out;
    },
  };
}

export const queueRules: readonly Rule[] = [makeRule('recvQ'), makeRule('sendQ')];

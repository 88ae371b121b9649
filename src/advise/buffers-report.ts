// `sockscope buffers`: the report (pure, from a snapshot and/or a bandwidth and rtt); report/print-buffers.ts prints it.
import type { Snapshot } from '../model/snapshot.js';
import { escapeControl } from '../model/escape.js';
import { hiddenOwnerUid, localUid, snapshotOwnerView, type OwnerView } from '../model/owner.js';
import { ORPHAN_STATES, socketDrops, type Socket } from '../model/socket.js';
import { fmtBytes, fmtPct } from './format.js';
import { bufferLimits, capsFromSysctls, connectionBuffers, localPeerFinder, planBuffers, setsockoptCode, sysctlFile, type BufferCaps, type BufferPlan, type ConnectionBuffers } from './buffers.js';

/** The read-buffer default of generated servers and where it came from. */
export interface BufferDefaults {
  bufferSize: number;
  /** default, user-file, project-file, env, flag; caller: the library caller's options.config */
  origin: string;
  detail?: string;
}

export interface LinkAdvice extends BufferPlan {
  /** The --bandwidth text as given. */
  bandwidth: string;
  sysctlFile: string;
  code: { c: string; python: string; node: string };
}

/**
 * One connection of the report: its buffers, and whether its owner is hidden. `ownerHidden` (no process
 * shown because another user's process holds it out of sight, not run as root) and the socket's `uid` (when
 * the source shows it), as analyze's and the snapshot's listeners have them: `processes: []` alone read as
 * "no process holds it".
 */
export interface BuffersConnection extends ConnectionBuffers {
  ownerHidden: boolean;
  uid?: number;
}

/** The --json document of `sockscope buffers`. */
export interface BuffersReport {
  host: string | null;
  kernel: string | null;
  source: string | null;
  time: string | null;
  /** What the connections are: "port 5201", "pid 123 fd 7", or null in link-only mode. */
  selection: string | null;
  caps: BufferCaps;
  /** From --bandwidth/--rtt (null when not given). */
  link: LinkAdvice | null;
  connections: BuffersConnection[];
  /** Settings that fit the largest connection BDP (null without connections with a BDP). */
  connectionPlan: BufferPlan | null;
  /** As given, with `detail` null when the origin has none. */
  defaults: { bufferSize: number; origin: string; detail: string | null };
  notes: string[];
}

export interface BuildBuffersOptions {
  snapshot?: Snapshot;
  /** The sockets to analyse (already selected by port or pid/fd). */
  sockets?: readonly Socket[];
  /** Sockets where the local other ends may be found (default: the snapshot's sockets). */
  peerCandidates?: readonly Socket[];
  selection?: string | null;
  /** Why the selected socket cannot be seen (another user's --pid/--socket-fd): said instead of "No TCP connections". */
  unseen?: string;
  bandwidth?: { text: string; bytesPerSecond: number };
  rttMs?: number;
  defaults: BufferDefaults;
  /** Caps when there is no snapshot (read from sysctls by the caller). */
  caps?: BufferCaps;
  /** Link-only mode (no snapshot): the host the caps were read on, its kernel and when (ISO time). */
  host?: { hostname: string; kernel: string; time: string };
  /** Config `thresholds:` (bufferLimitedRatio, bufferMinBusyMs judge "limited" as buffer-below-bdp does). */
  thresholds?: Record<string, number>;
  /** UDP sockets of the selection (--port, --pid/--socket-fd): no BDP to size, but their rcvbuf against the caps. */
  udpSockets?: readonly Socket[];
}

/** States whose buffers matter (TIME_WAIT, LISTEN and handshakes have none worth sizing). */
const CARRIES_DATA = new Set(['ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSING']);

/**
 * A connection its application has closed and the kernel only finishes: inode 0 (no file holds it) in a
 * closing state: an orphan, or a FIN_WAIT2 kept as a timewait-like mini-socket, which has no tcp_info;
 * measured, a client that sent 1 MB and closed showed `FIN-WAIT-2 timer:(timewait,...) ino:0` and nothing
 * else. Its rtt and rate would be its peer's, borrowed. ESTABLISHED or CLOSE_WAIT with inode 0 is no such
 * thing: the kernel completed it and it waits in the listener's accept queue (acceptQueued).
 */
function closedRemainder(s: Socket): boolean {
  return s.inode === 0 && ORPHAN_STATES.has(s.state);
}

/**
 * A connection the kernel completed that waits in the listener's accept queue: no process holds it until the
 * listener's owner calls accept() (inode 0, ESTABLISHED or CLOSE_WAIT; it has tcp_info and receives data:
 * measured, a listener that never accepts and a client filling the queue gave `ESTAB 128512 ... ino:0`).
 */
function acceptQueued(s: Socket): boolean {
  return s.inode === 0 && (s.state === 'ESTABLISHED' || s.state === 'CLOSE_WAIT');
}

/** The start of the verdict of a connection in the accept queue (print-buffers names its process cell from it). */
export const ACCEPT_QUEUE_VERDICT = "waits in the listener's accept queue (not accept()ed yet: no process holds it until the listener's owner calls accept())";

const EMPTY_CAPS: BufferCaps = { rmemMax: null, wmemMax: null, rmemDefault: null, wmemDefault: null, tcpRmem: null, tcpWmem: null, moderateRcvbuf: null };

/**
 * One UDP socket's receive buffer against the caps: "UDP 0.0.0.0:40001 (python3/27440 fd 3): rcvbuf 8 KiB,
 * set by the application (not net.core.rmem_default 208 KiB); net.core.rmem_max 4 MiB lets SO_RCVBUF reach
 * 8 MiB; queued 7.31 KiB (91%), drops 1991". Untrusted names are escaped.
 */
function udpBufferNote(s: Socket, caps: BufferCaps, view: OwnerView): string {
  const addr = s.local.address.includes(':') ? `[${s.local.address}]:${s.local.port}` : `${s.local.address}:${s.local.port}`;
  const hiddenUid = hiddenOwnerUid(s, view);
  const who = s.processes.length
    ? ` (${s.processes.slice(0, 2).map((p) => `${escapeControl(p.name)}/${p.pid} fd ${p.fd}`).join(', ')})`
    : hiddenUid !== undefined ? ` (hidden uid ${hiddenUid})` : '';
  const drops = socketDrops(s);
  const queued = s.skmem?.rmemAlloc ?? s.recvQ;
  if (!s.skmem) return `UDP ${escapeControl(addr)}${who}: queued ${fmtBytes(queued)}${drops != null ? `, drops ${drops}` : ''}; rcvbuf not visible to this source (use --source netlink or ss)`;
  const rb = s.skmem.rcvbuf;
  const max = caps.rmemMax;
  const def = caps.rmemDefault;
  let set: string;
  if (max != null && rb === 2 * max) set = `capped by net.core.rmem_max=${max}: the application asked for ${fmtBytes(max)} or more and got twice the cap; raise rmem_max (then the application sets SO_RCVBUF again) or use SO_RCVBUFFORCE`;
  else if (def != null && rb === def) set = `the default net.core.rmem_default (the application does not set SO_RCVBUF; rmem_default sizes every such socket)`;
  else if (def != null) set = `set by the application (not net.core.rmem_default ${fmtBytes(def)}): change it in its code`;
  else set = 'set by the application or the default (net.core.rmem_default unknown)';
  const room = max != null && rb < 2 * max ? `; net.core.rmem_max ${fmtBytes(max)} lets SO_RCVBUF reach ${fmtBytes(2 * max)}` : '';
  return `UDP ${escapeControl(addr)}${who}: rcvbuf ${fmtBytes(rb)}, ${set}${room}; queued ${fmtBytes(queued)} (${fmtPct(rb > 0 ? queued / rb : 0)})${drops != null ? `, drops ${drops}` : ''}`;
}

/** A connection's buffers with its owner's visibility, next to its processes (listenerOwner's shape). */
function withOwner(c: ConnectionBuffers, s: Socket, view: OwnerView): BuffersConnection {
  const { local, peer, state, processes, ...rest } = c;
  const ownerHidden = hiddenOwnerUid(s, view) !== undefined;
  return { local, peer, state, processes, ownerHidden, ...(s.uid !== undefined ? { uid: s.uid } : {}), ...rest };
}

/** Builds the report (pure). */
export function buildBuffersReport(o: BuildBuffersOptions): BuffersReport {
  const caps = o.caps ?? (o.snapshot ? capsFromSysctls(o.snapshot.sysctls) : EMPTY_CAPS);
  const limits = bufferLimits(o.thresholds);
  const notes: string[] = [];
  let link: LinkAdvice | null = null;
  if (o.bandwidth && o.rttMs != null) {
    const plan = planBuffers(o.bandwidth.bytesPerSecond, o.rttMs, caps);
    link = {
      ...plan,
      bandwidth: o.bandwidth.text,
      sysctlFile: sysctlFile(plan),
      code: { c: setsockoptCode(plan, 'c'), python: setsockoptCode(plan, 'python'), node: setsockoptCode(plan, 'node') },
    };
  }
  const peerOf = localPeerFinder(o.peerCandidates ?? o.snapshot?.sockets ?? []);
  // Sockets without a snapshot (a library caller's) were read by this user, completeness unknown.
  const view: OwnerView = o.snapshot ? snapshotOwnerView(o.snapshot) : { viewerUid: localUid() };
  const tcpCarrying = (o.sockets ?? []).filter((s) => s.protocol === 'tcp' && CARRIES_DATA.has(s.state));
  // Closed connections the kernel is finishing are no application's: left out, and counted in a note.
  const closed = tcpCarrying.filter(closedRemainder);
  const carrying = tcpCarrying.filter((s) => !closedRemainder(s));
  // --bandwidth sizes every connection: with --rtt as given (the BDP of the link section), else with each
  // connection's measured rtt. Either way no verdict asks for a flag that was given.
  const connections = carrying.map((s) => {
    const c = withOwner(connectionBuffers(s, o.bandwidth?.bytesPerSecond, peerOf(s), caps, limits, o.bandwidth ? o.rttMs : undefined), s, view);
    return acceptQueued(s) ? { ...c, verdict: `${ACCEPT_QUEUE_VERDICT}; ${c.verdict}` } : c;
  });
  const queued = carrying.filter(acceptQueued).length;
  // Connections whose rate is an old sample (staleDeliveryRate): neither "what the limit allows" nor "what it does now".
  const stale = new Set(connections.filter((c) => c.rateSample?.includes('stale')));
  // Connections whose rate is an app-limited sample (appLimitedDeliveryRate): their BDP uses the average over busy time, and sizes nothing.
  const appLimited = new Set(connections.filter((c) => c.rateSample?.includes('app-limited')));
  let connectionPlan: BufferPlan | null = null;
  // A BDP from a rate that a buffer holds down is no size to recommend (the plan would repeat the limit).
  // The rtt the BDP used: --rtt with --bandwidth, else the connection's own.
  const bdpRtt = (c: BuffersConnection): number | null => (o.bandwidth && o.rttMs != null ? o.rttMs : c.rttMs);
  const withBdp = connections.filter((c) => c.bdpBytes != null && bdpRtt(c) != null && c.bandwidthBasis != null && !c.bdpLowerBound && !(stale.has(c) && c.basis !== 'target') && !appLimited.has(c));
  const heldDown = connections.filter((c) => c.bdpLowerBound && !stale.has(c) && !appLimited.has(c)).length;
  if (withBdp.length > 0) {
    const worst = withBdp.reduce((a, b) => (b.bdpBytes! > a.bdpBytes! ? b : a));
    connectionPlan = planBuffers(worst.bandwidthBasis!, bdpRtt(worst)!, caps);
  }
  if (o.snapshot && !o.snapshot.attribution.complete)
    notes.push(o.snapshot.attribution.note ?? `Owners of ${o.snapshot.attribution.hiddenProcesses} other users' processes are hidden (run as root to name them).`);
  const udp = o.udpSockets ?? [];
  if (o.unseen) notes.push(o.unseen);
  else if (o.sockets && connections.length === 0) notes.push(`No TCP connections${o.selection ? ` for ${o.selection}` : ''}${udp.length ? `; ${udp.length === 1 ? 'a UDP socket' : `${udp.length} UDP sockets`} instead (below)` : ''}.`);
  if (udp.length) {
    notes.push(
      'UDP sockets have no window and no BDP to size (no rtt, no autotuning): the buffer question is whether SO_RCVBUF holds the bursts that arrive between two reads, and how far net.core.rmem_max lets it grow. Whether one drops now: sockscope analyze --port P --samples 5 (udp-socket-drops).',
    );
    for (const s of udp.slice(0, 8)) notes.push(udpBufferNote(s, caps, view));
    if (udp.length > 8) notes.push(`${udp.length - 8} more UDP sockets: ss -uam shows each one's rb and d.`);
  }
  if (queued > 0)
    notes.push(
      `${queued === 1 ? '1 connection waits' : `${queued} connections wait`} in the listener's accept queue (inode 0, no process yet): the kernel completed ${queued === 1 ? 'it and it receives' : 'them and they receive'} data, but the listener's owner has not called accept(); a full queue means that application accepts too slowly.`,
    );
  if (closed.length > 0)
    notes.push(
      `${closed.length === 1 ? '1 closed connection is' : `${closed.length} closed connections are`} left out (${[...new Set(closed.map((s) => s.state))].join(', ')}, inode 0: its application has closed it and the kernel only finishes the close, as an orphan or a timewait-like socket without tcp_info); no buffer setting applies to it.`,
    );
  if (o.sockets && connections.length > 0 && !connections.some((c) => c.rttMs != null)) notes.push('This source gives no tcp_info (rtt, delivery rate): use --source ss or netlink.');
  if (heldDown > 0)
    notes.push(
      `${heldDown === 1 ? '1 connection is' : `${heldDown} connections are`} limited by a buffer or window, so its measured rate is what the limit allows, not what the link can do: its BDP (shown as ">= N") is a lower bound and no size is derived from it. Give --bandwidth <link speed> to size for the link (with each connection's rtt, or --rtt); the link's rate is unknown to sockscope.`,
    );
  if (stale.size > 0)
    notes.push(
      `${stale.size === 1 ? '1 connection has' : `${stale.size} connections have`} an old delivery rate sample: its sender has had data waiting and sent nothing for a second or more (a shut receive window or backoff), so the rate shown is from before it stopped, not what it does now, and no size is derived from a BDP computed with it; its verdict says for how long and the average over its busy time. Give --bandwidth <link speed> to size for the link.`,
    );
  if (appLimited.size > 0) {
    // The average needs bytes_acked and busy time (appLimitedDeliveryRate): without them the row has no BDP at all.
    const averaged = [...appLimited].filter((c) => c.bandwidthBasis != null).length;
    const without = appLimited.size - averaged;
    const bdpFrom =
      without === 0
        ? `${appLimited.size === 1 ? 'Its BDP is' : 'Their BDP is'} computed with the average rate over its busy time (bytes_acked / busy time) instead`
        : averaged === 0
          ? `${appLimited.size === 1 ? 'It has' : 'They have'} no average rate either (bytes_acked or busy time unknown), so no BDP`
          : `${averaged} of them ${averaged === 1 ? 'has its' : 'have their'} BDP computed with the average rate over busy time (bytes_acked / busy time) instead; ${without} ${without === 1 ? 'has' : 'have'} no average (bytes_acked or busy time unknown), so no BDP`;
    notes.push(
      `${appLimited.size === 1 ? '1 connection has' : `${appLimited.size} connections have`} an app-limited delivery rate sample (tcp_info delivery_rate_app_limited, ss app_limited): the application had too little data queued to fill the path when it was taken, so the rate shown is how fast those few segments were acknowledged, not what the connection moves. ${bdpFrom}, and no buffer size or sysctl value is derived from it. Give --bandwidth <link speed> to size for the link.`,
    );
  }
  const rcvRtt = connections.filter((c) => c.rttSource === 'rcv-rtt').length;
  if (rcvRtt > 0)
    notes.push(
      `${rcvRtt === 1 ? '1 connection only receives' : `${rcvRtt} connections only receive`} from a sender elsewhere: its own rtt (tcp_info rtt, ss rtt) is then only the handshake's sample, so its rtt is the receiver's estimate from the data arriving (tcp_info rcv_rtt, ss rcv_rtt; rtt column "(rcv_rtt)", --json rttSource "rcv-rtt"). The sender's rtt, on its host, is the exact one.`,
    );
  if (connections.some((c) => !stale.has(c) && !appLimited.has(c) && !c.bdpLowerBound && (c.basis === 'delivery-rate' || c.basis === 'peer-delivery-rate')))
    notes.push('BDP from the measured delivery rate shows what the connection does now; give --bandwidth to size for the link.');
  return {
    host: o.snapshot?.hostname ?? o.host?.hostname ?? null,
    kernel: o.snapshot?.kernel ?? o.host?.kernel ?? null,
    source: o.snapshot?.source ?? null,
    time: o.snapshot ? new Date(o.snapshot.time).toISOString() : (o.host?.time ?? null),
    selection: o.selection ?? null,
    caps,
    link,
    connections,
    connectionPlan,
    defaults: { bufferSize: o.defaults.bufferSize, origin: o.defaults.origin, detail: o.defaults.detail ?? null },
    notes,
  };
}

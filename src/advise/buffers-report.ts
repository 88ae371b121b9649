// `sockscope buffers`: the report (pure, from a snapshot and/or a bandwidth and rtt); report/print-buffers.ts prints it.
import type { Snapshot } from '../model/snapshot.js';
import type { Socket } from '../model/socket.js';
import { bufferLimits, capsFromSysctls, connectionBuffers, localPeerFinder, planBuffers, setsockoptCode, sysctlFile, type BufferCaps, type BufferPlan, type ConnectionBuffers } from './buffers.js';

/** The read-buffer default of generated servers and where it came from. */
export interface BufferDefaults {
  bufferSize: number;
  /** default, user-file, project-file, env, flag */
  origin: string;
  detail?: string;
}

export interface LinkAdvice extends BufferPlan {
  /** The --bandwidth text as given. */
  bandwidth: string;
  sysctlFile: string;
  code: { c: string; python: string; node: string };
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
  connections: ConnectionBuffers[];
  /** Settings that fit the largest connection BDP (null without connections with a BDP). */
  connectionPlan: BufferPlan | null;
  defaults: BufferDefaults;
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
  /** Config `thresholds:` (bufferLimitedRatio, bufferMinBusyMs judge "limited" as buffer-below-bdp does). */
  thresholds?: Record<string, number>;
}

/** States whose buffers matter (TIME_WAIT, LISTEN and handshakes have none worth sizing). */
const CARRIES_DATA = new Set(['ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSING']);

const EMPTY_CAPS: BufferCaps = { rmemMax: null, wmemMax: null, rmemDefault: null, wmemDefault: null, tcpRmem: null, tcpWmem: null, moderateRcvbuf: null };

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
  const connections = (o.sockets ?? [])
    .filter((s) => s.protocol === 'tcp' && CARRIES_DATA.has(s.state))
    .map((s) => connectionBuffers(s, o.rttMs == null ? o.bandwidth?.bytesPerSecond : undefined, peerOf(s), caps, limits));
  let connectionPlan: BufferPlan | null = null;
  // A BDP from a rate that a buffer holds down is no size to recommend (the plan would repeat the limit).
  const withBdp = connections.filter((c) => c.bdpBytes != null && c.rttMs != null && c.bandwidthBasis != null && !c.bdpLowerBound);
  const heldDown = connections.filter((c) => c.bdpLowerBound).length;
  if (withBdp.length > 0) {
    const worst = withBdp.reduce((a, b) => (b.bdpBytes! > a.bdpBytes! ? b : a));
    connectionPlan = planBuffers(worst.bandwidthBasis!, worst.rttMs!, caps);
  }
  if (o.snapshot && !o.snapshot.attribution.complete)
    notes.push(o.snapshot.attribution.note ?? `Owners of ${o.snapshot.attribution.hiddenProcesses} other users' processes are hidden (run as root to name them).`);
  if (o.unseen) notes.push(o.unseen);
  else if (o.sockets && connections.length === 0) notes.push(`No TCP connections${o.selection ? ` for ${o.selection}` : ''}.`);
  if (o.sockets && connections.length > 0 && !connections.some((c) => c.rttMs != null)) notes.push('This source gives no tcp_info (rtt, delivery rate): use --source ss or netlink.');
  if (heldDown > 0)
    notes.push(
      `${heldDown === 1 ? '1 connection is' : `${heldDown} connections are`} limited by a buffer or window, so its measured rate is what the limit allows, not what the link can do: its BDP (shown as ">= N") is a lower bound and no size is derived from it. Give --bandwidth <link speed> to size for the link (each connection's rtt is used); the link's rate is unknown to sockscope.`,
    );
  if (connections.some((c) => !c.bdpLowerBound && (c.basis === 'delivery-rate' || c.basis === 'peer-delivery-rate')))
    notes.push('BDP from the measured delivery rate shows what the connection does now; give --bandwidth to size for the link.');
  return {
    host: o.snapshot?.hostname ?? null,
    kernel: o.snapshot?.kernel ?? null,
    source: o.snapshot?.source ?? null,
    time: o.snapshot ? new Date(o.snapshot.time).toISOString() : null,
    selection: o.selection ?? null,
    caps,
    link,
    connections,
    connectionPlan,
    defaults: o.defaults,
    notes,
  };
}

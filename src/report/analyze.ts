// Builds the analyze / analyze-states reports from one snapshot (pure): the one model every printer formats.
import { healthyMessages, evaluateRules, makeContext, summaryMessage } from '../advise/engine.js';
import type { Recommendation } from '../advise/types.js';
import { timeWaitHealth } from '../advise/rules/time-wait.js';
import { countStates, isListener, socketsOnPort, socketsToPeerPort, summarizePeerPorts, summarizePorts, type Listener } from '../model/aggregate.js';
import { firstInOrder } from '../model/keep-first.js';
import { hiddenOwnerUid, hiddenOwnerUids, ownerNotes, snapshotOwnerView, uidHidden, type OwnerView } from '../model/owner.js';
import { isListenerSocket } from '../model/listener-socket.js';
import { formatEndpoint, socketDrops, type ProcessRef, type Socket } from '../model/socket.js';
import { ephemeralRange, type Snapshot } from '../model/snapshot.js';
import type { AnalyzeReport, StatesReport, UdpConnected } from './schema.js';
import type { CollectOptions } from '../collect/source.js';
import { fmtBytes } from '../advise/format.js';
import { escapeControl } from '../model/escape.js';
import { queueBytes } from './queue-bytes.js';

export interface ReportScope {
  port?: number;
  peerPort?: number;
  /**
   * The flags that read where this report read (repeatFlags: ` --host web1 --ssh-config FILE`, ` --source
   * netlink`), which a command the report suggests carries: without them, copying the suggested
   * `sockscope analyze --port P --samples 5` after `--host web1` read the local machine.
   */
  repeat?: string;
}

/** A word for a command line the user may copy: as is when plain, else in single quotes (control characters escaped). */
function shellWord(w: string): string {
  const t = escapeControl(w);
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(t) ? t : `'${t.replace(/'/g, `'\\''`)}'`;
}

/**
 * ReportScope.repeat for one report: the --host it read (one per report, also of several) and --ssh-config,
 * or a local --source given as a flag (one from a config file applies again by itself; auto is the default).
 */
export function repeatFlags(o: { host?: string; sshConfig?: string; source?: string; sourceTyped?: boolean }): string {
  if (o.host !== undefined) return ` --host ${shellWord(o.host)}${o.sshConfig !== undefined ? ` --ssh-config ${shellWord(o.sshConfig)}` : ''}`;
  return o.source !== undefined && o.source !== 'auto' && o.sourceTyped !== false ? ` --source ${shellWord(o.source)}` : '';
}

/**
 * The collect options of a scope. --peer-port P keeps this host's listeners, which tell a connection it accepted
 * from one it made, and the sockets on local port P too (a collector takes either), so that a loopback
 * connection's other end, this host's receiving socket, is judged as in the whole-host view (buffer-below-bdp
 * reads its rcvbuf); the report itself still counts the scope's sockets only. --port P collects that port.
 */
export function scopeCollectOptions(scope: ReportScope): Pick<CollectOptions, 'port' | 'peerPort' | 'withListeners'> {
  if (scope.peerPort !== undefined) return { port: scope.peerPort, peerPort: scope.peerPort, withListeners: true };
  return scope.port !== undefined ? { port: scope.port } : {};
}

/**
 * The sockets of the scope; the snapshot's own array when that is all of them (a collection scoped to
 * the port holds only its sockets), so that summarizePorts finds the summaries made during the dump.
 */
function selectSockets(snap: Snapshot, scope: ReportScope): readonly Socket[] {
  const all = snap.sockets;
  const picked = scope.port !== undefined ? socketsOnPort(all, scope.port) : scope.peerPort !== undefined ? socketsToPeerPort(all, scope.peerPort, undefined, undefined, ephemeralRange(snap)) : all.filter((s) => s.protocol !== 'unix');
  return picked.length === all.length ? all : picked;
}

/**
 * The snapshot's notes for the scope's sockets: the owners-not-found notes (ownerNotes, made for the whole
 * collection) counted again over `sockets` when the collection holds more than the scope (--peer-port keeps the
 * host's listeners and local port P): a listener elsewhere whose owner is out of sight is not this report's.
 */
function scopeNotes(snap: Snapshot, sockets: readonly Socket[]): string[] {
  if (sockets === snap.sockets) return [...snap.notes];
  const whole = new Set(ownerNotes(snap));
  if (whole.size === 0) return [...snap.notes];
  const mine = ownerNotes({ ...snap, sockets: sockets as Socket[] });
  const at = snap.notes.findIndex((n) => whole.has(n));
  const rest = snap.notes.filter((n) => !whole.has(n));
  return [...rest.slice(0, at), ...mine, ...rest.slice(at)];
}

function uniqueProcesses(list: ProcessRef[]): ProcessRef[] {
  const m = new Map<number, ProcessRef>();
  for (const p of list) if (!m.has(p.pid)) m.set(p.pid, p);
  return [...m.values()].sort((a, b) => a.pid - b.pid);
}

/** The recommendations for a scope: findings first (worst first), else the healthy lines. */
export function recommendationsFor(snap: Snapshot, scope: ReportScope, history?: readonly Snapshot[], thresholds?: Record<string, number>): Recommendation[] {
  const ctx = makeContext({ snapshot: snap, history, thresholds, port: scope.port, peerPort: scope.peerPort, repeat: scope.repeat });
  const findings = evaluateRules(ctx);
  return [...findings, ...healthyMessages(ctx, findings)];
}

/** `analyze`: one port (or peer port, or the whole host): states, listeners, processes, peers, recommendations. */
export function buildAnalyzeReport(snap: Snapshot, scope: ReportScope, history?: readonly Snapshot[], thresholds?: Record<string, number>): AnalyzeReport {
  const sockets = selectSockets(snap, scope);
  const tcp = sockets.filter((s) => s.protocol === 'tcp');
  const summaries = scope.peerPort !== undefined ? [] : summarizePorts(sockets);
  const peerSummaries = scope.peerPort !== undefined ? summarizePeerPorts(snap.sockets, ephemeralRange(snap)).filter((p) => p.peerPort === scope.peerPort) : [];
  const owners = snapshotOwnerView(snap);
  const families = wildcardV6only(sockets);
  const udpIndex = udpListenerSockets(sockets);
  const devices = boundDevices(sockets);
  const listeners = summaries.flatMap((p) =>
    p.listeners.map((l) => ({
      address: l.address,
      port: l.port,
      protocol: l.protocol as 'tcp' | 'udp',
      backlog: l.backlog,
      acceptQueue: l.acceptQueue,
      process: l.processes[0] ? { pid: l.processes[0].pid, name: l.processes[0].name, fd: l.processes[0].fd } : null,
      processes: l.processes.map((x) => ({ pid: x.pid, name: x.name, fd: x.fd })),
      ...listenerDevice(l, devices, p.host),
      ...listenerOwner(l, owners, p.host),
      ...listenerV6only(l, families, p.host),
      ...udpReceiveSide(l, udpIndex, p.host),
    })),
  );
  const peers = new Map<string, number>();
  let recvQ = 0;
  let sendQ = 0;
  for (const s of sockets) {
    // A TCP listener's Recv-Q counts connections (its accept queue): not bytes. A UDP socket's queues are
    // bytes, connected or not.
    if (s.state === 'LISTEN') continue;
    // Bytes of data: a TCP queue's FIN or SYN (one sequence number each) is not counted (queueBytes).
    const q = queueBytes(s);
    recvQ += q.recvQ;
    sendQ += q.sendQ;
    if (s.peer.port !== 0) peers.set(s.peer.address, (peers.get(s.peer.address) ?? 0) + 1);
  }
  const topPeers = [...peers.entries()]
    .map(([address, count]) => ({ address, count }))
    .sort((a, b) => b.count - a.count || a.address.localeCompare(b.address))
    .slice(0, 10);
  const recs = recommendationsFor(snap, scope, history, thresholds);
  return {
    ...reportHeader(snap),
    port: scope.port ?? null,
    peerPort: scope.peerPort ?? null,
    total: tcp.length,
    states: countStates(tcp),
    udpSockets: sockets.filter((s) => s.protocol === 'udp').length,
    listeners,
    ...udpConnectedOf(sockets, owners, snap.attribution.scope === 'listeners'),
    processes: uniqueProcesses(sockets.flatMap((s) => s.processes)).map((p) => ({ pid: p.pid, name: p.name })),
    processesOf: snap.attribution.scope,
    // Only sockets whose owner was looked up: under 'listeners' a connection with no owner was never looked for
    // (its uid says nothing of who could see it), and 'hidden uid 0' beside no listener would be a guess.
    hiddenOwnerUids: hiddenOwnerUids(snap.attribution.scope === 'listeners' ? sockets.filter(isListenerSocket) : sockets, owners),
    peerCount: peerSummaries[0]?.peerCount ?? peers.size,
    topPeers,
    queues: { recvQ, sendQ },
    recommendations: recs.map(stripUndefined),
    // One snapshot: the rules that judge drops need a series, so a UDP socket that is full or has dropped is
    // said here, with the way to get that series.
    notes: [...scopeNotes(snap, sockets), ...(history && history.length > 1 ? [] : udpOneShotNotes(listeners, scope.repeat ?? ''))],
  };
}

/**
 * A UDP listener's receive side (README, analyze --json), where `acceptQueue` keeps its old meaning
 * (connections waiting for accept() on TCP; on UDP only the same bytes as `recvQBytes`): bytes of datagrams
 * waiting to be read, the receive buffer the kernel applies (skmem rb; null without socket memory: procfs,
 * netstat) and the datagrams the kernel dropped on it since it was opened (sk_drops; null when the source
 * cannot see it: netstat). Absent on TCP listeners.
 */
export interface UdpReceiveSide {
  recvQBytes: number;
  rcvbuf: number | null;
  drops: number | null;
}

/** A listener record of analyze --json with the UDP fields (the schema's entry for them is added by the lead). */
export type AnalyzeListener = AnalyzeReport['listeners'][number] & Partial<UdpReceiveSide>;

/** The bound UDP sockets that serve a port, by listenerKey: the summaries' listeners carry neither skmem nor drops. */
export function udpListenerSockets(sockets: readonly Socket[]): ReadonlyMap<string, Socket> {
  const m = new Map<string, Socket>();
  for (let i = 0; i < sockets.length; i++) {
    const s = sockets[i];
    if (s.protocol === 'udp' && s.inode !== undefined && isListener(s)) m.set(listenerKey(s.host, 'udp', s.local.port, s.inode), s);
  }
  return m;
}

/** The UdpReceiveSide fields of a UDP listener; nothing for a TCP one. */
export function udpReceiveSide(l: Listener, index: ReadonlyMap<string, Socket>, host?: string): UdpReceiveSide | Record<string, never> {
  if (l.protocol !== 'udp') return {};
  const s = l.inode !== undefined ? index.get(listenerKey(host, 'udp', l.port, l.inode)) : undefined;
  return { recvQBytes: l.acceptQueue, rcvbuf: s?.skmem?.rcvbuf ?? null, drops: (s && socketDrops(s)) ?? null };
}

/** Connected UDP sockets listed by analyze, fullest first (udpConnectedCount counts them all). */
const UDP_CONNECTED_SHOWN = 20;

/**
 * The connected UDP sockets of the scope (a peer set with connect(): ss lists them as ESTAB), which no
 * listener row shows: each one's queues, receive buffer, drops and owner, the fullest (then the most
 * dropping) first, at most UDP_CONNECTED_SHOWN of them.
 */
/**
 * `listenersOnly`: the report's owners were looked up for listeners only (whole-host analyze), so a connected
 * socket without a process was never looked for: not said hidden (as hiddenOwnerUids leaves it out).
 */
function udpConnectedOf(sockets: readonly Socket[], owners: OwnerView, listenersOnly: boolean): { udpConnectedCount: number; udpConnected: UdpConnected[] } {
  const connected = sockets.filter((s) => s.protocol === 'udp' && s.peer.port !== 0);
  const fill = (s: Socket) => (s.skmem?.rcvbuf ? s.recvQ / s.skmem.rcvbuf : 0);
  const ranked = connected.map((s) => ({ s, fill: fill(s), drops: socketDrops(s) ?? 0 }));
  const shown = firstInOrder(ranked, UDP_CONNECTED_SHOWN, (a, b) => b.fill - a.fill || b.s.recvQ - a.s.recvQ || b.drops - a.drops)
    .map(({ s }): UdpConnected => {
      const p = s.processes[0];
      const hidden = !listenersOnly && hiddenOwnerUid(s, owners) !== undefined;
      return {
        local: formatEndpoint(s.local, 'udp'),
        peer: formatEndpoint(s.peer, 'udp'),
        recvQ: s.recvQ,
        sendQ: s.sendQ,
        rcvbuf: s.skmem?.rcvbuf ?? null,
        drops: socketDrops(s) ?? null,
        process: p ? { pid: p.pid, name: p.name, ...(p.fd !== undefined ? { fd: p.fd } : {}) } : null,
        ownerHidden: hidden,
        ...(s.uid !== undefined ? { uid: s.uid } : {}),
      };
    });
  return { udpConnectedCount: connected.length, udpConnected: shown };
}

/**
 * The kernel drops a datagram when the queue's memory (skb truesize, not payload) would pass rcvbuf, so a
 * queue at 90 % of it is full for datagrams of any size (measured: rb 8192 stops at r 7488, 91 %).
 */
export const UDP_FULL_FRACTION = 0.9;

/** Whether a UDP listener's queue is full now (false when rcvbuf is unknown). */
export function udpQueueFull(l: Partial<UdpReceiveSide>): boolean {
  return l.rcvbuf != null && l.rcvbuf > 0 && (l.recvQBytes ?? 0) >= UDP_FULL_FRACTION * l.rcvbuf;
}

/**
 * How a one-shot note names its UDP socket ("UDP 127.0.0.1:5353 (pid 812 fd 3)"), by address, pid and fd (the
 * process name is the system's text, kept out of notes); the printer finds a socket's notes by it.
 */
export function udpNoteSubject(l: AnalyzeListener): string {
  const addr = l.address.includes(':') ? `[${escapeControl(l.address)}]` : escapeControl(l.address);
  return `UDP ${addr}:${l.port}${l.process ? ` (pid ${l.process.pid}${l.process.fd !== undefined ? ` fd ${l.process.fd}` : ''})` : ''}`;
}

/**
 * One snapshot's notes on UDP sockets that are full or have dropped datagrams: sk_drops is a total since the
 * socket was opened, and only a series says whether it still rises, so each note says how to take one.
 * Addresses are escaped (an IPv6 zone is an interface name); processes are named by pid and fd only.
 */
function udpOneShotNotes(listeners: readonly AnalyzeListener[], repeat: string): string[] {
  const out: string[] = [];
  const flagged = listeners
    .filter((l) => l.protocol === 'udp' && l.recvQBytes !== undefined && (udpQueueFull(l) || (l.drops ?? 0) > 0))
    .sort((a, b) => Number(udpQueueFull(b)) - Number(udpQueueFull(a)) || (b.drops ?? 0) - (a.drops ?? 0));
  for (const l of flagged.slice(0, UDP_NOTES_MAX)) {
    const recvQ = l.recvQBytes!;
    const full = udpQueueFull(l);
    const drops = l.drops ?? 0;
    const where = udpNoteSubject(l);
    const queue = l.rcvbuf != null ? `${fmtBytes(recvQ)} queued of rcvbuf ${fmtBytes(l.rcvbuf)} (${Math.round((100 * recvQ) / Math.max(1, l.rcvbuf))}%)` : `${fmtBytes(recvQ)} queued`;
    const dropped = `the kernel has dropped ${drops} datagram${drops === 1 ? '' : 's'} on it since it was opened (sk_drops)`;
    const series = `sockscope analyze --port ${l.port}${repeat} --samples 5 --sample-interval 1s`;
    if (full)
      out.push(
        `${where}: its receive queue is full (${queue})${drops > 0 ? ` and ${dropped}` : ''}: datagrams arriving now are dropped, because the process does not read fast enough or its receive buffer is too small. One snapshot cannot tell the rate: ${series} shows whether the drops rise and what to change.`,
      );
    else out.push(`${where}: ${dropped}; ${queue} now. The counter is a total: ${series} shows whether it still rises.`);
  }
  if (flagged.length > UDP_NOTES_MAX) out.push(`${flagged.length - UDP_NOTES_MAX} more UDP sockets are full or have dropped datagrams: see the UDP sockets table (fill, drops).`);
  return out;
}

/** Notes on full or dropping UDP sockets, at most (a whole-host analyze can list hundreds of UDP sockets). */
const UDP_NOTES_MAX = 10;

/**
 * `ownerHidden` (no process visible, and the listener is another user's: a process this user cannot read
 * holds it, unlike a socket no process holds) and the listener's `uid` when the source shows it: with
 * `process: null` alone a JSON reader could not tell the two apart. Listener records keep these shapes.
 */
export function listenerOwner(l: Listener, view: OwnerView, host?: string): { ownerHidden: boolean; uid?: number } {
  const hidden = l.processes.length === 0 && l.uid !== undefined && uidHidden(l.uid, view, host);
  return l.uid !== undefined ? { ownerHidden: hidden, uid: l.uid } : { ownerHidden: false };
}

/** IPV6_V6ONLY of the listeners bound to ::, by listenerKey: null when the source cannot tell (procfs, netstat). */
export type WildcardV6only = ReadonlyMap<string, boolean | null>;

function listenerKey(host: string | undefined, protocol: string, port: number, inode: number | undefined): string {
  return `${host ?? ''}\u0000${protocol}:${port}:${inode ?? ''}`;
}

/**
 * One pass over the sockets for the [::] listeners' v6only (the summaries' listeners do not carry it): what
 * tells a dual-stack listener from an IPv6-only one, both shown as '::'.
 */
export function wildcardV6only(sockets: readonly Socket[]): WildcardV6only {
  const m = new Map<string, boolean | null>();
  for (let i = 0; i < sockets.length; i++) {
    const s = sockets[i];
    if (s.local.address === '::' && s.ipVersion === 6 && isListener(s)) m.set(listenerKey(s.host, s.protocol, s.local.port, s.inode), s.v6only ?? null);
  }
  return m;
}

/**
 * `v6only` of a listener on '::' (README, analyze --json): true (IPv6 only), false (IPv4 too) or null
 * (unknown: procfs and netstat do not show IPV6_V6ONLY); absent for any other address, where it does not
 * change which clients reach the listener.
 */
export function listenerV6only(l: Listener, families: WildcardV6only, host?: string): { v6only?: boolean | null } {
  if (l.address !== '::') return {};
  const v = families.get(listenerKey(host, l.protocol, l.port, l.inode));
  return { v6only: v ?? null };
}

/** The device of the listeners bound with SO_BINDTODEVICE (netlink and ss name it; procfs, netstat do not), by listenerKey. */
export type BoundDevices = ReadonlyMap<string, string>;

/**
 * One pass over the sockets for the listeners' bound devices (the summaries' listeners do not carry them):
 * two listeners on 0.0.0.0:7005 bound to vA and vB are two services, not two identical rows.
 */
export function boundDevices(sockets: readonly Socket[]): BoundDevices {
  const m = new Map<string, string>();
  for (let i = 0; i < sockets.length; i++) {
    const s = sockets[i];
    if (s.boundDevice !== undefined && isListener(s)) m.set(listenerKey(s.host, s.protocol, s.local.port, s.inode), s.boundDevice);
  }
  return m;
}

/**
 * `device` of a listener bound to one (README, analyze and sockscope --json; the name try's holders use),
 * shown after the address as ss and the exporter do (`0.0.0.0%vA`); absent when unbound, unknown (procfs,
 * netstat) or when the address already carries its link-local zone (that zone is the device).
 */
export function listenerDevice(l: Listener, devices: BoundDevices, host?: string): { device?: string } {
  if (devices.size === 0 || l.address.includes('%')) return {};
  const d = devices.get(listenerKey(host, l.protocol, l.port, l.inode));
  return d !== undefined ? { device: d } : {};
}

/** `analyze-states`: TCP state counts and one recommendation line. */
export function buildStatesReport(snap: Snapshot, scope: ReportScope, history?: readonly Snapshot[], thresholds?: Record<string, number>): StatesReport {
  const sockets = selectSockets(snap, scope);
  const tcp = sockets.filter((s) => s.protocol === 'tcp');
  const ctx = makeContext({ snapshot: snap, history, thresholds, port: scope.port, peerPort: scope.peerPort, repeat: scope.repeat });
  const findings = evaluateRules(ctx);
  const healthy = healthyMessages(ctx, findings);
  // No finding: the time-wait health line, by id: time-wait-ok's "TIME_WAIT count is normal", or time-wait-unsettled's
  // own message (a level reached now, not held yet), which names no TIME_WAIT and is never called normal.
  const timeWait = healthy.find((h) => h.id === timeWaitHealth.id || timeWaitHealth.otherIds?.includes(h.id));
  const summary = findings.length > 0 ? summaryMessage(findings, ctx) : (timeWait?.message ?? summaryMessage([], ctx));
  return {
    host: snap.hostname,
    source: snap.source,
    time: new Date(snap.time).toISOString(),
    port: scope.port ?? null,
    peerPort: scope.peerPort ?? null,
    states: countStates(tcp),
    recommendation: summary,
    recommendations: [...findings, ...healthy].map(stripUndefined),
    notes: scopeNotes(snap, sockets),
  };
}

/** The fields every report starts with: which host, kernel and source, and when. */
export function reportHeader(snap: Snapshot): { host: string; kernel: string; source: string; sourceNote?: string; time: string } {
  return {
    host: snap.hostname,
    kernel: snap.kernel,
    source: snap.source,
    ...(snap.sourceNote ? { sourceNote: snap.sourceNote } : {}),
    time: new Date(snap.time).toISOString(),
  };
}

export function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

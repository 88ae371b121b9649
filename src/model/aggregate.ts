// Pure aggregation of a snapshot's sockets per (protocol, local port) and per peer port.
import { isListener, isWildcard, type ProcessRef, type Protocol, type Socket, type SocketState } from './socket.js';
import { Accumulators, addPeer, addProcesses, countConnectedQueue, fullestConnectedQueue, peerCountOf, processesOf, removePeer, topPeersOfAcc, uidsOf, type Acc } from './port-accumulators.js';

// isListener lives in socket.ts (collect/source.ts needs it at start-up, without the aggregation code); kept importable from here.
export { isListener };

export type StateCounts = Record<SocketState, number>;

/** A zero count for every state, in the kernel's order. */
export function emptyStateCounts(): StateCounts {
  // A literal (one hidden class, no Object.fromEntries): this runs once per port, 50,000+ times a poll.
  return { ESTABLISHED: 0, SYN_SENT: 0, SYN_RECV: 0, FIN_WAIT1: 0, FIN_WAIT2: 0, TIME_WAIT: 0, CLOSE: 0, CLOSE_WAIT: 0, LAST_ACK: 0, LISTEN: 0, CLOSING: 0 };
}

/** One listening socket on a port. */
export interface Listener {
  address: string;
  port: number;
  protocol: Protocol;
  /** Listen backlog (Send-Q of a LISTEN socket). null for UDP. */
  backlog: number | null;
  /** Connections waiting for accept() (Recv-Q of a LISTEN socket); for UDP, bytes queued. */
  acceptQueue: number;
  processes: ProcessRef[];
  inode?: number;
  ipVersion?: 4 | 6;
  /** The socket's uid (netlink, ss -e, procfs), when the source shows it: whose process holds it when none is visible (model/owner.ts). */
  uid?: number;
}

/**
 * The order of a port's listeners: by address (text: 0.0.0.0 before ::, 127.0.0.1 before 127.0.0.2), then
 * device scope, then inode (an SO_REUSEPORT group's members: the same socket has the same inode in every
 * source), then backlog: the same sockets are listed in the same order from every source.
 */
export function compareListenerSockets(a: Socket, b: Socket): number {
  const text = (x: string | undefined, y: string | undefined): number => ((x ?? '') < (y ?? '') ? -1 : (x ?? '') > (y ?? '') ? 1 : 0);
  return text(a.local.address, b.local.address) || text(a.local.scope, b.local.scope) || (a.inode ?? 0) - (b.inode ?? 0) || a.sendQ - b.sendQ || a.recvQ - b.recvQ;
}

export interface PeerCount {
  address: string;
  count: number;
}

/** Everything known about one (protocol, local port). */
export interface PortSummary {
  /** Set when the sockets carry a host (several --host): summaries are per (host, protocol, port). */
  host?: string;
  protocol: Protocol;
  port: number;
  states: StateCounts;
  total: number;
  listeners: Listener[];
  /** Distinct processes holding any socket on the port (pid order). */
  processes: ProcessRef[];
  /**
   * Distinct uids of the port's sockets that a process must hold (not TIME_WAIT, not orphans), ascending:
   * whose processes they are when none is visible (model/owner.ts summaryHiddenUids). Absent when not counted.
   */
  uids?: readonly number[];
  /**
   * Unix rows (ui/derive.ts summarizeUnix): as `uids`, of the sockets no visible process holds, and of those
   * the listeners' (the bound datagram sockets too): whose owners are hidden while others are visible.
   */
  unseenUids?: readonly number[];
  unseenListenerUids?: readonly number[];
  /** Number of distinct peer addresses. */
  peerCount: number;
  /** Peers with the most sockets, most first. */
  topPeers: PeerCount[];
  recvQ: number;
  sendQ: number;
  /**
   * UDP: the bytes waiting in the port's fullest connected socket (its unconnected ones are in `listeners`);
   * absent when none holds any (and for TCP and unix).
   */
  fullestConnectedRecvQ?: number;
}

/** Outgoing connections from this host grouped by the peer's port. */
export interface PeerPortSummary {
  /** Set when the sockets carry a host (several --host). */
  host?: string;
  protocol: Protocol;
  peerPort: number;
  states: StateCounts;
  total: number;
  /** Distinct remote addresses. */
  peerCount: number;
  topPeers: PeerCount[];
  processes: ProcessRef[];
  /** As PortSummary.uids. */
  uids?: readonly number[];
  recvQ: number;
  sendQ: number;
}

/**
 * Local ports this host serves: ports with a listener. A connection whose local port is a listening
 * port is incoming; any other connection is outgoing (its local port is ephemeral).
 */
export function listeningPorts(sockets: readonly Socket[]): Set<string> {
  const out = new Set<string>();
  for (const s of sockets) if (s.protocol !== 'unix' && isListener(s)) out.add(listeningKey(s));
  return out;
}

/** The key listeningPorts uses for a socket's local port: 'tcp:80', or 'HOST\u0000tcp:80' when the socket carries a host. */
export function listeningKey(s: Socket): string {
  return s.host === undefined ? `${s.protocol}:${s.local.port}` : `${s.host}\u0000${s.protocol}:${s.local.port}`;
}

/**
 * Per-port aggregation fed one socket at a time: the netlink collector adds sockets as each dump
 * chunk is parsed, while the kernel fills the next one, so most of the work hides in the dump's
 * wait. Processes and listener details are read in finish(), so attribution (which replaces a
 * socket's `processes`) may run between the last add() and finish().
 */
export class PortAggregator {
  private readonly acc = new Accumulators();
  /** Listener sockets per accumulator, made into Listener records by finish(). */
  private readonly listenerSockets = new Map<Acc, Socket[]>();

  add(s: Socket): void {
    if (s.protocol === 'unix') return;
    const a = this.acc.get(s, s.local.port);
    a.dirty = true;
    this.acc.count(a, s);
    if (isListener(s)) {
      const l = this.listenerSockets.get(a);
      if (l) l.push(s);
      else this.listenerSockets.set(a, [s]);
      // A UDP socket's queues are bytes (datagrams waiting to be read or sent), part of the port's
      // queued bytes; a TCP listener's Recv-Q counts connections (its accept queue) and is left out.
      if (s.protocol === 'udp') {
        a.recvQ += s.recvQ;
        a.sendQ += s.sendQ;
      }
    } else {
      a.recvQ += s.recvQ;
      a.sendQ += s.sendQ;
      if (s.protocol === 'udp') countConnectedQueue(a, s.recvQ, 1);
      if (!isWildcard(s.peer.address)) addPeer(a, s.peer.address);
    }
  }

  /**
   * Takes back add(s), for an aggregation that rolls from one poll to the next (NetlinkSource adds the
   * sockets that changed and removes the ones gone instead of aggregating every socket again). `s`
   * must be a socket added before any host was set on it (collectors tag hosts after aggregating).
   */
  remove(s: Socket): void {
    if (s.protocol === 'unix') return;
    const a = this.acc.getKey(s.protocol, s.local.port, undefined);
    a.dirty = true;
    this.acc.uncount(a, s);
    if (isListener(s)) {
      const l = this.listenerSockets.get(a);
      if (l) {
        const i = l.indexOf(s);
        if (i >= 0) l.splice(i, 1);
        if (l.length === 0) this.listenerSockets.delete(a);
      }
      if (s.protocol === 'udp') {
        a.recvQ -= s.recvQ;
        a.sendQ -= s.sendQ;
      }
    } else {
      a.recvQ -= s.recvQ;
      a.sendQ -= s.sendQ;
      if (s.protocol === 'udp') countConnectedQueue(a, s.recvQ, -1);
      if (!isWildcard(s.peer.address)) removePeer(a, s.peer.address);
    }
  }

  /**
   * Whether ports left without sockets outnumber the others (plus 4,096): a rolling aggregation keeps an
   * accumulator for every port it ever saw, and on a client host the ephemeral ports move on; the
   * collector then starts a fresh one instead of rolling this one further.
   */
  mostlyEmpty(): boolean {
    const empty = this.acc.emptyCount();
    return empty > this.acc.list.length - empty + 4096;
  }

  /**
   * The summaries, sorted by (host,) protocol then port; `sockets` are the ones added (for their
   * processes). May be called again after more add() and remove() calls (ports left without sockets
   * are not listed); a port unchanged since is the same PortSummary object again (summaries are
   * treated as immutable, as snapshots are).
   */
  finish(sockets: readonly Socket[]): PortSummary[] {
    const acc = this.acc;
    acc.clearFinished();
    for (let i = 0; i < sockets.length; i++) {
      const s = sockets[i];
      if (s.processes.length !== 0 && s.protocol !== 'unix') addProcesses(acc.get(s, s.local.port), s.processes);
    }
    for (const [a, list] of this.listenerSockets) {
      // In one order whatever the source (netlink, ss, procfs and netstat list them in orders of their own):
      // the port view, analyze, --json and the QUEUE cell's tie-break read them in this order.
      a.listeners = [...list].sort(compareListenerSockets).map((s) => ({
        address: s.local.scope ? `${s.local.address}%${s.local.scope}` : s.local.address,
        port: s.local.port,
        protocol: s.protocol,
        // procfs and netstat cannot see a listener's backlog (sendQUnknown): null, not 0.
        backlog: s.protocol === 'tcp' && !s.sendQUnknown ? s.sendQ : null,
        acceptQueue: s.recvQ,
        processes: s.processes,
        inode: s.inode,
        ipVersion: s.ipVersion,
        ...(s.uid !== undefined ? { uid: s.uid } : {}),
      }));
    }
    const sorted = acc.sorted();
    const out: PortSummary[] = [];
    for (let i = 0; i < sorted.length; i++) {
      const a = sorted[i];
      if (a.total === 0) continue;
      // A rolling aggregator's port nothing was added to or removed from since the last finish(): the
      // summary made then, unless owners are involved (listeners are new sockets on every poll, so a
      // port with listeners is never unchanged; processes come from the sockets, read above).
      const last = a.summary;
      if (!a.dirty && last !== null && a.processes === null && last.processes.length === 0 && a.host === undefined) {
        out.push(last);
        continue;
      }
      a.dirty = false;
      const p: PortSummary = {
        protocol: a.protocol,
        port: a.port,
        states: acc.states(a),
        total: a.total,
        listeners: a.listeners ?? [],
        processes: processesOf(a),
        uids: uidsOf(a),
        peerCount: peerCountOf(a),
        topPeers: topPeersOfAcc(a),
        recvQ: a.recvQ,
        sendQ: a.sendQ,
      };
      const connectedQ = a.protocol === 'udp' ? fullestConnectedQueue(a) : 0;
      if (connectedQ > 0) p.fullestConnectedRecvQ = connectedQ;
      if (a.host === undefined) a.summary = p;
      out.push(a.host !== undefined ? { host: a.host, ...p } : p);
    }
    return out;
  }
}

/** Aggregations a collector already ran over a snapshot's socket array (see rememberPortSummaries). */
const precomputed = new WeakMap<readonly Socket[], { agg: PortAggregator | null; summaries: readonly PortSummary[] | null }>();

/**
 * Records the aggregator that saw every socket of `sockets` while they were collected, so that
 * summarizePorts on the same array (snapshots are not mutated) finishes it, once, instead of
 * aggregating again; a caller that never asks pays nothing more.
 */
export function rememberPortSummaries(sockets: readonly Socket[], agg: PortAggregator): void {
  precomputed.set(sockets, { agg, summaries: null });
}

/**
 * Drops a remembered aggregation that has not been finished yet, because its aggregator is about to
 * change (NetlinkSource rolls it forward to the next poll): summarizePorts on those sockets then
 * aggregates them afresh. A finished one stays (its summaries are made).
 */
export function forgetPortSummaries(sockets: readonly Socket[]): void {
  const known = precomputed.get(sockets);
  if (known?.agg) precomputed.delete(sockets);
}

/** Per (protocol, local port) summaries of TCP and UDP sockets, sorted by protocol then port. Unix sockets are skipped. */
export function summarizePorts(sockets: readonly Socket[]): PortSummary[] {
  const known = precomputed.get(sockets);
  // Sockets tagged with a host after collection (several --host) are summed per host: aggregate again.
  if (known && (sockets.length === 0 || sockets[0].host === undefined)) {
    if (known.agg) {
      known.summaries = known.agg.finish(sockets);
      known.agg = null;
    }
    return known.summaries!.slice();
  }
  const agg = new PortAggregator();
  for (let i = 0; i < sockets.length; i++) agg.add(sockets[i]);
  return agg.finish(sockets);
}

/**
 * Whether a local port is one this host serves, the rule that puts a socket in the local-ports table or
 * else in the outgoing one (never both): the port has a listener, or, when the ephemeral range is given,
 * it lies outside that range (a server port whose listener closed, still holding TIME_WAIT or
 * CLOSE_WAIT). Without a range only a listener makes a port served.
 */
export function isServedLocalPort(port: number, hasListener: boolean, ephemeral?: readonly [number, number]): boolean {
  return hasListener || (ephemeral !== undefined && (port < ephemeral[0] || port > ephemeral[1]));
}

/**
 * Whether a socket is one of this host's outgoing connections: not a listener, not a half-open connection
 * a listener received (SYN_RECV is incoming whatever its port), and on a local port this host does not
 * serve (isServedLocalPort, `listening` from listeningPorts).
 */
export function isOutgoing(s: Socket, listening: ReadonlySet<string>, ephemeral?: readonly [number, number]): boolean {
  return mayBeOutgoing(s) && !isServedLocalPort(s.local.port, listening.size !== 0 && listening.has(listeningKey(s)), ephemeral);
}

/** isOutgoing's part that does not depend on the local port: not a listener, not SYN_RECV. */
export function mayBeOutgoing(s: Socket): boolean {
  return !isListener(s) && s.state !== 'SYN_RECV';
}

/**
 * Outgoing connections grouped by (protocol, peer port): sockets whose local port this host does not serve
 * (isServedLocalPort: no listener on it and, with `ephemeral`, inside the ephemeral range), SYN_RECV left
 * out (a listener's half-open connections are incoming). `sockscope
 * --json` and the monitor pass the snapshot's range, so a socket is in their ports or their outgoing
 * table, not both.
 */
export function summarizePeerPorts(sockets: readonly Socket[], ephemeral?: readonly [number, number]): PeerPortSummary[] {
  const listening = listeningPorts(sockets);
  const acc = new Accumulators();
  for (let i = 0; i < sockets.length; i++) {
    const s = sockets[i];
    if (s.protocol === 'unix' || s.peer.port === 0 || !isOutgoing(s, listening, ephemeral)) continue;
    const a = acc.get(s, s.peer.port);
    acc.count(a, s);
    a.recvQ += s.recvQ;
    a.sendQ += s.sendQ;
    if (s.processes.length !== 0) addProcesses(a, s.processes);
    addPeer(a, s.peer.address);
  }
  const sorted = acc.sorted();
  const out: PeerPortSummary[] = new Array(sorted.length);
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i];
    const p: PeerPortSummary = {
      protocol: a.protocol,
      peerPort: a.port,
      states: acc.states(a),
      total: a.total,
      peerCount: peerCountOf(a),
      topPeers: topPeersOfAcc(a),
      processes: processesOf(a),
      uids: uidsOf(a),
      recvQ: a.recvQ,
      sendQ: a.sendQ,
    };
    out[i] = a.host !== undefined ? { host: a.host, ...p } : p;
  }
  return out;
}

/** Counts per state over any set of sockets. */
export function countStates(sockets: readonly Socket[]): StateCounts {
  const c = emptyStateCounts();
  for (const s of sockets) c[s.state]++;
  return c;
}

/** Sockets whose local port is `port` (what this host serves on P). */
export function socketsOnPort(sockets: readonly Socket[], port: number, protocol?: Protocol, host?: string): Socket[] {
  return sockets.filter((s) => s.protocol !== 'unix' && s.local.port === port && (!protocol || s.protocol === protocol) && (host === undefined || s.host === host));
}

/**
 * This host's outgoing sockets to peer port `port` (as summarizePeerPorts: no SYN_RECV, none on a served
 * local port). `sockets` must hold the host's listeners: a collection filtered on the peer port needs
 * CollectOptions.withListeners, else a connection accepted on a listening port inside the ephemeral range
 * is taken for an outgoing one.
 */
export function socketsToPeerPort(sockets: readonly Socket[], port: number, protocol?: Protocol, host?: string, ephemeral?: readonly [number, number]): Socket[] {
  const listening = listeningPorts(sockets);
  return sockets.filter(
    (s) =>
      s.protocol !== 'unix' &&
      s.peer.port === port &&
      isOutgoing(s, listening, ephemeral) &&
      (!protocol || s.protocol === protocol) &&
      (host === undefined || s.host === host),
  );
}

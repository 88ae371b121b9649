// Pure aggregation of a snapshot's sockets per (protocol, local port) and per peer port.
import { TCP_STATES, isWildcard, type ProcessRef, type Protocol, type Socket, type SocketState } from './socket.js';

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
  /** Number of distinct peer addresses. */
  peerCount: number;
  /** Peers with the most sockets, most first. */
  topPeers: PeerCount[];
  recvQ: number;
  sendQ: number;
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
  recvQ: number;
  sendQ: number;
}

const TOP_PEERS = 5;

/** True for the socket that serves a port: TCP LISTEN, or an unconnected bound UDP socket. */
export function isListener(s: Socket): boolean {
  if (s.protocol === 'tcp') return s.state === 'LISTEN';
  if (s.protocol === 'udp') return s.state === 'CLOSE' && (s.peer.port === 0 || isWildcard(s.peer.address)) && s.local.port !== 0;
  return s.state === 'LISTEN';
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

const EMPTY_PROCESSES: ProcessRef[] = [];
const PROTOCOL_BASE: Record<Protocol, number> = { tcp: 0, udp: 65536, unix: 131072 };

/** Numeric key of (protocol, port): cheaper than string keys at 100,000 sockets. */
function keyOf(protocol: Protocol, port: number): number {
  return PROTOCOL_BASE[protocol] + port;
}

function topPeers(peers: Map<string, number> | null): PeerCount[] {
  if (!peers) return [];
  const all: PeerCount[] = [];
  for (const [address, count] of peers) all.push({ address, count });
  all.sort((a, b) => b.count - a.count || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return all.slice(0, TOP_PEERS);
}

interface Acc {
  host?: string;
  /** Numeric (protocol, port) key, for sorting. */
  num: number;
  protocol: Protocol;
  port: number;
  states: StateCounts;
  total: number;
  listeners: Listener[];
  /** Created on first use: most ports of a busy client host have one socket and no owner. */
  processes: Map<number, ProcessRef> | null;
  peers: Map<string, number> | null;
  recvQ: number;
  sendQ: number;
}

function newAcc(protocol: Protocol, port: number, host?: string): Acc {
  return { host, num: keyOf(protocol, port), protocol, port, states: emptyStateCounts(), total: 0, listeners: [], processes: null, peers: null, recvQ: 0, sendQ: 0 };
}

function addProcesses(a: Acc, list: readonly ProcessRef[]): void {
  if (list.length === 0) return;
  a.processes ??= new Map();
  for (const p of list) if (!a.processes.has(p.pid)) a.processes.set(p.pid, p);
}

function addPeer(a: Acc, address: string): void {
  a.peers ??= new Map();
  a.peers.set(address, (a.peers.get(address) ?? 0) + 1);
}

function processesOf(a: Acc): ProcessRef[] {
  return a.processes ? [...a.processes.values()].sort((x, y) => x.pid - y.pid) : EMPTY_PROCESSES;
}

function byProtocolThenPort(x: { host?: string; key: number }, y: { host?: string; key: number }): number {
  if (x.host !== y.host) {
    const a = x.host ?? '';
    const b = y.host ?? '';
    if (a !== b) return a < b ? -1 : 1;
  }
  return x.key - y.key; // (host,) tcp < udp < unix, then port
}

/** Accumulator lookup: the numeric key alone when the socket has no host (the fast path), else host + key. */
function accFor(acc: Map<number | string, Acc>, s: Socket, port: number): Acc {
  const num = keyOf(s.protocol, port);
  const key = s.host === undefined ? num : `${s.host}\u0000${num}`;
  let a = acc.get(key);
  if (!a) acc.set(key, (a = newAcc(s.protocol, port, s.host)));
  return a;
}

/** Per (protocol, local port) summaries of TCP and UDP sockets, sorted by protocol then port. Unix sockets are skipped. */
export function summarizePorts(sockets: readonly Socket[]): PortSummary[] {
  const acc = new Map<number | string, Acc>();
  for (const s of sockets) {
    if (s.protocol === 'unix') continue;
    const a = accFor(acc, s, s.local.port);
    a.states[s.state]++;
    a.total++;
    addProcesses(a, s.processes);
    if (isListener(s)) {
      a.listeners.push({
        address: s.local.scope ? `${s.local.address}%${s.local.scope}` : s.local.address,
        port: s.local.port,
        protocol: s.protocol,
        // procfs and netstat cannot see a listener's backlog (sendQUnknown): null, not 0.
        backlog: s.protocol === 'tcp' && !s.sendQUnknown ? s.sendQ : null,
        acceptQueue: s.recvQ,
        processes: s.processes,
        inode: s.inode,
        ipVersion: s.ipVersion,
      });
    } else {
      a.recvQ += s.recvQ;
      a.sendQ += s.sendQ;
      if (!isWildcard(s.peer.address)) addPeer(a, s.peer.address);
    }
  }
  const out: (PortSummary & { key: number })[] = [];
  for (const a of acc.values()) {
    out.push({
      key: a.num,
      ...(a.host !== undefined ? { host: a.host } : {}),
      protocol: a.protocol,
      port: a.port,
      states: a.states,
      total: a.total,
      listeners: a.listeners,
      processes: processesOf(a),
      peerCount: a.peers?.size ?? 0,
      topPeers: topPeers(a.peers),
      recvQ: a.recvQ,
      sendQ: a.sendQ,
    });
  }
  out.sort(byProtocolThenPort);
  return out.map(({ key: _k, ...p }) => p);
}

/** Outgoing connections (local port not a listening port) grouped by (protocol, peer port). */
export function summarizePeerPorts(sockets: readonly Socket[]): PeerPortSummary[] {
  const listening = listeningPorts(sockets);
  const acc = new Map<number | string, Acc>();
  for (const s of sockets) {
    if (s.protocol === 'unix' || s.peer.port === 0 || isListener(s)) continue;
    if (listening.has(listeningKey(s))) continue;
    const a = accFor(acc, s, s.peer.port);
    a.states[s.state]++;
    a.total++;
    a.recvQ += s.recvQ;
    a.sendQ += s.sendQ;
    addProcesses(a, s.processes);
    addPeer(a, s.peer.address);
  }
  const out: (PeerPortSummary & { key: number })[] = [];
  for (const a of acc.values()) {
    out.push({
      key: a.num,
      ...(a.host !== undefined ? { host: a.host } : {}),
      protocol: a.protocol,
      peerPort: a.port,
      states: a.states,
      total: a.total,
      peerCount: a.peers?.size ?? 0,
      topPeers: topPeers(a.peers),
      processes: processesOf(a),
      recvQ: a.recvQ,
      sendQ: a.sendQ,
    });
  }
  out.sort(byProtocolThenPort);
  return out.map(({ key: _k, ...p }) => p);
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

/** This host's outgoing sockets to peer port `port` (excluding sockets on a listening local port). */
export function socketsToPeerPort(sockets: readonly Socket[], port: number, protocol?: Protocol, host?: string): Socket[] {
  const listening = listeningPorts(sockets);
  return sockets.filter(
    (s) =>
      s.protocol !== 'unix' &&
      s.peer.port === port &&
      !isListener(s) &&
      !listening.has(listeningKey(s)) &&
      (!protocol || s.protocol === protocol) &&
      (host === undefined || s.host === host),
  );
}

// Per-snapshot indexes the rules share (computed once per snapshot, memoized): groups of TCP sockets by port.
import { emptyStateCounts, isListener, isServedLocalPort, type StateCounts } from '../model/aggregate.js';
import { ephemeralRange, type Snapshot } from '../model/snapshot.js';
import type { Protocol, Socket } from '../model/socket.js';

/**
 * A group of connections: incoming ones by local port (a port this host listens on) or outgoing ones by
 * the peer's port. `key` is stable across snapshots ("in:tcp:8080", "out:tcp:5432").
 */
export interface ConnGroup {
  key: string;
  direction: 'in' | 'out';
  protocol: Protocol;
  /** Local port (in) or peer port (out). */
  port: number;
  sockets: Socket[];
  states: StateCounts;
}

export interface Facts {
  /** "tcp:8080" for every port with a listener. */
  listening: Set<string>;
  /** Listening sockets by "protocol:port". */
  listeners: Map<string, Socket[]>;
  /** Non-listening TCP/UDP sockets grouped by direction and port. */
  groups: Map<string, ConnGroup>;
  /** Every socket by identity (socketKey). */
  byKey: Map<string, Socket>;
  /** TCP sockets by 4-tuple (tupleKey), to find the local other end of a loopback connection. */
  byTuple: Map<string, Socket>;
}

/** "laddr|lport|paddr|pport" of a TCP socket; reversed endpoints find its peer on this host. */
export function tupleKey(localAddress: string, localPort: number, peerAddress: string, peerPort: number): string {
  return `${localAddress}|${localPort}|${peerAddress}|${peerPort}`;
}

const cache = new WeakMap<Snapshot, Facts>();

/** Identity of a socket across snapshots: protocol and both endpoints. */
export function socketKey(s: Socket): string {
  return `${s.protocol}|${s.local.address}|${s.local.port}|${s.peer.address}|${s.peer.port}|${s.inode ?? ''}`;
}

/** Numeric "protocol:port" for the per-socket loops below (a string made per socket was most of their time). */
function portKey(protocol: Protocol, port: number): number {
  return (protocol === 'tcp' ? 0 : 0x10000) | port;
}

/** The shared indexes of one snapshot. */
export function factsOf(snap: Snapshot): Facts {
  const hit = cache.get(snap);
  if (hit) return hit;
  const sockets = snap.sockets;
  // Numeric keys while walking every socket (100,000 of them on a big host: 22 ms a snapshot with a
  // string key made per socket), the string-keyed maps the rules read made from them at the end, in
  // the same first-seen order.
  const listenersByNum = new Map<number, Socket[]>();
  for (let i = 0; i < sockets.length; i++) {
    const s = sockets[i];
    if (s.protocol === 'unix' || !isListener(s)) continue;
    const k = portKey(s.protocol, s.local.port);
    const l = listenersByNum.get(k);
    if (l) l.push(s);
    else listenersByNum.set(k, [s]);
  }
  const groupsByNum = new Map<number, ConnGroup>();
  // Incoming: the local port has a listener or lies outside the ephemeral range (isServedLocalPort, the
  // rule of the monitor's and --json's port tables), so a server's TIME_WAIT/CLOSE_WAIT sockets after its
  // listener closed stay a group of its port, not one outgoing group per client port.
  const ephemeral = ephemeralRange(snap);
  for (let i = 0; i < sockets.length; i++) {
    const s = sockets[i];
    if (s.protocol === 'unix' || isListener(s)) continue;
    const incoming = isServedLocalPort(s.local.port, listenersByNum.has(portKey(s.protocol, s.local.port)), ephemeral);
    if (!incoming && s.peer.port === 0) continue;
    const port = incoming ? s.local.port : s.peer.port;
    const num = (incoming ? 0 : 0x20000) | portKey(s.protocol, port);
    let g = groupsByNum.get(num);
    if (!g) {
      const direction = incoming ? 'in' : 'out';
      groupsByNum.set(num, (g = { key: `${direction}:${s.protocol}:${port}`, direction, protocol: s.protocol, port, sockets: [], states: emptyStateCounts() }));
    }
    g.sockets.push(s);
    g.states[s.state]++;
  }
  const listening = new Set<string>();
  const listeners = new Map<string, Socket[]>();
  for (const l of listenersByNum.values()) {
    const k = `${l[0].protocol}:${l[0].local.port}`;
    listening.add(k);
    listeners.set(k, l);
  }
  const groups = new Map<string, ConnGroup>();
  for (const g of groupsByNum.values()) groups.set(g.key, g);
  const f = withIdentityIndexes(snap, listening, listeners, groups);
  cache.set(snap, f);
  return f;
}

/** Facts with the identity indexes of `snap` built on first use: most ticks only some rules need them. */
function withIdentityIndexes(snap: Snapshot, listening: Set<string>, listeners: Map<string, Socket[]>, groups: Map<string, ConnGroup>): Facts {
  let byKey: Map<string, Socket> | undefined;
  let byTuple: Map<string, Socket> | undefined;
  return {
    listening,
    listeners,
    groups,
    get byKey() {
      if (!byKey) {
        byKey = new Map();
        for (const s of snap.sockets) byKey.set(socketKey(s), s);
      }
      return byKey;
    },
    get byTuple() {
      if (!byTuple) {
        byTuple = new Map();
        for (const s of snap.sockets) if (s.protocol === 'tcp' && s.state !== 'LISTEN') byTuple.set(tupleKey(s.local.address, s.local.port, s.peer.address, s.peer.port), s);
      }
      return byTuple;
    },
  };
}

/** Window entries made by windowEntry(), by the snapshot they were made from. */
const windowEntries = new WeakMap<Snapshot, Snapshot>();
const isWindowEntry = new WeakSet<Snapshot>();

/**
 * `snap` as a history entry that only rates and growth over the window read (older than the last
 * persistSamples snapshots, which persistence checks read in full): its time, host counters and sysctls,
 * and the facts those rules read (every group's state counts, the listeners); of its sockets only the
 * UDP ones (a UDP socket's drop counter is followed across the window). Groups other than UDP keep their
 * counts and no sockets. At 100,000 sockets this is a few kilobytes instead of tens of megabytes.
 */
export function windowEntry(snap: Snapshot): Snapshot {
  if (isWindowEntry.has(snap)) return snap;
  const hit = windowEntries.get(snap);
  if (hit) return hit;
  const f = factsOf(snap);
  const entry: Snapshot = { ...snap, sockets: snap.sockets.filter((s) => s.protocol === 'udp') };
  const groups = new Map<string, ConnGroup>();
  for (const [k, g] of f.groups) groups.set(k, g.protocol === 'udp' ? g : { ...g, sockets: [] });
  cache.set(entry, withIdentityIndexes(entry, f.listening, f.listeners, groups));
  windowEntries.set(snap, entry);
  isWindowEntry.add(entry);
  return entry;
}

/** The port fields of a recommendation about a group: `port` for incoming, `peerPort` for outgoing. */
export function groupPortFields(g: Pick<ConnGroup, 'direction' | 'protocol' | 'port'>): { protocol: Protocol; port?: number; peerPort?: number } {
  return g.direction === 'in' ? { protocol: g.protocol, port: g.port } : { protocol: g.protocol, peerPort: g.port };
}

/** "tcp port 8080" or "outgoing tcp connections to port 5432". */
export function groupLabel(g: Pick<ConnGroup, 'direction' | 'protocol' | 'port'>): string {
  return g.direction === 'in' ? `${g.protocol} port ${g.port}` : `outgoing ${g.protocol} connections to port ${g.port}`;
}

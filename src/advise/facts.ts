// Per-snapshot indexes the rules share (computed once per snapshot, memoized): groups of TCP sockets by port.
import { emptyStateCounts, isListener, isServedLocalPort, type StateCounts } from '../model/aggregate.js';
import { ephemeralRange, type Snapshot } from '../model/snapshot.js';
import { TCP_STATES, type Protocol, type Socket, type SocketState } from '../model/socket.js';
import type { RuleContext } from './types.js';

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

/** baseFacts' numeric group keys: an outgoing group's bit (OUT_TCP | peer port is an outgoing TCP group). */
const OUT_TCP = 0x20000;

/** Facts of a snapshot with one more local port counted as served, by snapshot and port (factsOf's second argument). */
const servedCache = new WeakMap<Snapshot, Map<number, Facts>>();

/**
 * The shared indexes of one snapshot. `servedPort`: a local port the caller is asking about (analyze
 * --port P, RuleContext.port) counts as served, so every non-listening socket on it is in its incoming
 * group even inside the ephemeral range with no listener (a server's CLOSE_WAIT sockets after its
 * listener closed, on 50051); without it the grouping is the port tables' (isServedLocalPort).
 */
export function factsOf(snap: Snapshot, servedPort?: number): Facts {
  const base = baseFacts(snap);
  if (servedPort === undefined) return base;
  let byPort = servedCache.get(snap);
  if (!byPort) servedCache.set(snap, (byPort = new Map()));
  let f = byPort.get(servedPort);
  if (!f) byPort.set(servedPort, (f = withServedPort(snap, base, servedPort)));
  return f;
}

/** The facts a rule reads for its context in `snap` (the current snapshot by default): ctx.port counts as served. */
export function factsFor(ctx: Pick<RuleContext, 'snapshot' | 'port'>, snap: Snapshot = ctx.snapshot): Facts {
  return factsOf(snap, ctx.port);
}

/**
 * A server's connections accepted before its listener closed and never closed (40 on 45000, inside the
 * ephemeral range, each from its own client's port) were 40 outgoing groups of 1, one per client port, and
 * "CLOSE_WAIT count is normal" host-wide. For the rules, CLOSE_WAIT sockets on one local address and port with
 * no listener inside the ephemeral range become that port's incoming group when at least two of them are each
 * the only CLOSE_WAIT socket of their outgoing group. A client's leaked connections to one service stay that
 * service's group: Linux reuses a local port for connections to other destinations, so a leaking client's
 * ports hold several CLOSE_WAIT sockets too, but to the same peer port. Works on baseFacts' numeric groups
 * (outgoing TCP: OUT_TCP | peer port; incoming TCP: the local port), before their string keys are made.
 */
function regroupClosedServerPorts(groupsByNum: Map<number, ConnGroup>, closeWaitOut: readonly Socket[], listenersByNum: ReadonlyMap<number, Socket[]>): void {
  // Only sockets alone in their outgoing group, by local port: a leaking client's (100,000 to 443) are all
  // passed over by one lookup each. A client's port is not a well-known one (below 1024) nor one this host
  // listens on: a client that leaks one connection to each of 30 local services, all from the one local
  // port Linux reused for them, stays 30 outgoing connections.
  const byLocal = new Map<number, Socket[]>();
  for (const s of closeWaitOut) {
    if (s.peer.port < 1024 || listenersByNum.has(portKey('tcp', s.peer.port))) continue;
    if (groupsByNum.get(OUT_TCP | s.peer.port)!.states.CLOSE_WAIT !== 1) continue;
    const l = byLocal.get(s.local.port);
    if (l) l.push(s);
    else byLocal.set(s.local.port, [s]);
  }
  for (const [port, alone] of byLocal) {
    if (alone.length < 2) continue;
    // By local address: 127.0.0.2:45000 and [::1]:45000 are two sockets' ports, not one server's.
    const first = alone[0].local.address;
    let byAddress: Socket[][] = [alone];
    if (alone.some((s) => s.local.address !== first)) {
      const m = new Map<string, Socket[]>();
      for (const s of alone) {
        const l = m.get(s.local.address);
        if (l) l.push(s);
        else m.set(s.local.address, [s]);
      }
      byAddress = [...m.values()];
    }
    const take = byAddress.filter((l) => l.length >= 2).flat();
    if (take.length === 0) continue;
    // Each is the only CLOSE_WAIT socket of its outgoing group: one take per group (most hold only it).
    for (const s of take) {
      const num = OUT_TCP | s.peer.port;
      // Built in baseFacts and not shared yet: changed in place.
      if (!takeFromGroup(groupsByNum.get(num)!, [s], ONE_CLOSE_WAIT, (x) => x !== s)) groupsByNum.delete(num);
    }
    // No incoming group can exist for the port: it has no listener and lies inside the ephemeral range.
    const into = incomingGroup('tcp', port, undefined);
    addToGroup(into, take, { ...emptyStateCounts(), CLOSE_WAIT: take.length });
    groupsByNum.set(portKey('tcp', port), into);
  }
}

/** The counts of one CLOSE_WAIT socket (regroupClosedServerPorts' takes). */
const ONE_CLOSE_WAIT: StateCounts = { ...emptyStateCounts(), CLOSE_WAIT: 1 };

const STATE_NAMES = Object.keys(emptyStateCounts()) as SocketState[];

/** A new incoming group of `port`, holding what `had` (the port's group so far, if any) holds; `had` is not changed. */
function incomingGroup(protocol: Protocol, port: number, had: ConnGroup | undefined): ConnGroup {
  const key = `in:${protocol}:${port}`;
  return { key, direction: 'in', protocol, port, sockets: had ? [...had.sockets] : [], states: had ? { ...had.states } : emptyStateCounts() };
}

/**
 * Takes `sockets`, counted `states` (a window entry's moves are counts without sockets), out of group `from`,
 * changed in place: it keeps the sockets `stays` keeps. False when nothing is left in `from` (its caller removes
 * it): then, as for an outgoing group of one socket, neither its counts nor its sockets are touched.
 */
function takeFromGroup(from: ConnGroup, sockets: readonly Socket[], states: StateCounts, stays: (s: Socket) => boolean): boolean {
  // `sockets` are some of from.sockets, which hold every socket it counts (a group holding none moves counts only).
  if (sockets.length > 0 && sockets.length === from.sockets.length) return false;
  let left = 0;
  for (const k of STATE_NAMES) left += from.states[k] -= states[k];
  if (sockets.length > 0) from.sockets = from.sockets.filter(stays);
  return left > 0;
}

/** Adds `sockets`, counted `states`, to group `into`, changed in place (what takeFromGroup took). */
function addToGroup(into: ConnGroup, sockets: readonly Socket[], states: StateCounts): void {
  for (const k of STATE_NAMES) into.states[k] += states[k];
  // One push a socket: push(...sockets) passes them as arguments and throws RangeError from about 125,000.
  for (let i = 0; i < sockets.length; i++) into.sockets.push(sockets[i]);
}

/**
 * `base` with the sockets of local port `port` that it groups as outgoing (by their peer port) moved to
 * the port's incoming groups; `base` itself when there are none. A window entry's TCP groups hold no
 * sockets: their moves come from what windowEntry kept of them (outgoingTcpOf; none when it was told not to
 * keep them, and then none move).
 */
function withServedPort(snap: Snapshot, base: Facts, port: number): Facts {
  // Outside the ephemeral range the base grouping already serves the port: no outgoing socket can be on it.
  const [lo, hi] = ephemeralRange(snap);
  if (port < lo || port > hi) return base;
  const moved = new Map<string, { sockets: Socket[]; states: StateCounts }>();
  const add = (from: string, s: Socket | null, state: SocketState): void => {
    let m = moved.get(from);
    if (!m) moved.set(from, (m = { sockets: [], states: emptyStateCounts() }));
    if (s) m.sockets.push(s);
    m.states[state]++;
  };
  for (const g of base.groups.values()) {
    if (g.direction !== 'out') continue;
    for (const s of g.sockets) if (s.local.port === port) add(g.key, s, s.state);
  }
  const compact = outgoingTcpOf(snap);
  if (compact) for (let i = 0; i < compact.localPorts.length; i++) if (compact.localPorts[i] === port) add(`out:tcp:${compact.peerPorts[i]}`, null, TCP_STATES[compact.states[i]]);
  if (moved.size === 0) return base;
  const groups = new Map(base.groups);
  const incoming = new Map<Protocol, ConnGroup>();
  for (const [key, m] of moved) {
    const g = base.groups.get(key)!;
    const protocol = g.protocol;
    let into = incoming.get(protocol);
    if (!into) {
      // The port's CLOSE_WAIT sockets may already be its incoming group (regroupClosedServerPorts): joined, not replaced.
      incoming.set(protocol, (into = incomingGroup(protocol, port, base.groups.get(`in:${protocol}:${port}`))));
    }
    // A copy: base's groups are the cached facts of the snapshot.
    const from = { ...g, states: { ...g.states } };
    if (takeFromGroup(from, m.sockets, m.states, (s) => s.local.port !== port)) groups.set(key, from);
    else groups.delete(key);
    addToGroup(into, m.sockets, m.states);
  }
  for (const g of incoming.values()) groups.set(g.key, g);
  return {
    listening: base.listening,
    listeners: base.listeners,
    groups,
    get byKey() {
      return base.byKey;
    },
    get byTuple() {
      return base.byTuple;
    },
  };
}

/** The grouping of one snapshot, cached (factsOf without a served port). */
function baseFacts(snap: Snapshot): Facts {
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
  // Outgoing TCP CLOSE_WAIT sockets, for regroupClosedServerPorts.
  const closeWaitOut: Socket[] = [];
  for (let i = 0; i < sockets.length; i++) {
    const s = sockets[i];
    if (s.protocol === 'unix' || isListener(s)) continue;
    const incoming = isServedLocalPort(s.local.port, listenersByNum.has(portKey(s.protocol, s.local.port)), ephemeral);
    if (!incoming && s.peer.port === 0) continue;
    if (!incoming && s.state === 'CLOSE_WAIT' && s.protocol === 'tcp') closeWaitOut.push(s);
    const port = incoming ? s.local.port : s.peer.port;
    const num = (incoming ? 0 : OUT_TCP) | portKey(s.protocol, port);
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
  regroupClosedServerPorts(groupsByNum, closeWaitOut, listenersByNum);
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

/**
 * What a window entry keeps of the TCP sockets its outgoing groups held, for factsOf(entry, port) to move
 * those on `port` to its incoming group: local port, peer port and state (an index in TCP_STATES) of each,
 * 5 bytes a socket.
 */
export interface OutgoingTcp {
  localPorts: Uint16Array;
  peerPorts: Uint16Array;
  states: Uint8Array;
}
const outgoingTcp = new WeakMap<Snapshot, OutgoingTcp>();

/** What windowEntry kept of a window entry's outgoing TCP sockets; undefined for a whole snapshot, or an entry made without them. */
export function outgoingTcpOf(entry: Snapshot): OutgoingTcp | undefined {
  return outgoingTcp.get(entry);
}
const STATE_INDEX = new Map<SocketState, number>(TCP_STATES.map((st, i) => [st, i]));

/** Window entries made by windowEntry(), by the snapshot they were made from. */
const windowEntries = new WeakMap<Snapshot, Snapshot>();
const isWindowEntry = new WeakSet<Snapshot>();

/**
 * `snap` as a history entry that only rates and growth over the window read (older than the last
 * persistSamples snapshots, which persistence checks read in full): its time, host counters and sysctls,
 * and the facts those rules read (every group's state counts, the listeners); of its sockets only the
 * UDP ones (a UDP socket's drop counter is followed across the window). Groups other than UDP keep their
 * counts and no sockets; each outgoing TCP socket leaves its local port, peer port and state (5 bytes, for
 * withServedPort when a view is scoped to a port). At 100,000 outgoing sockets that is about 500 KB an entry
 * (4 MB for the 8 window entries of a full history, about 4 ms of a poll) instead of tens of megabytes.
 * `keepOutgoing: false` leaves those out, for a history no view scoped to a port reads (the exporter's:
 * factsOf(entry, port) then moves nothing). An entry passed again is returned as it is.
 */
export function windowEntry(snap: Snapshot, o: { keepOutgoing?: boolean } = {}): Snapshot {
  if (isWindowEntry.has(snap)) return snap;
  const keepOutgoing = o.keepOutgoing ?? true;
  const hit = windowEntries.get(snap);
  if (hit) {
    // Made for a history without them first: the snapshot it came from still has its sockets, and a
    // grouping scoped to a port made from the entry without them is dropped.
    if (keepOutgoing && !outgoingTcp.has(hit)) {
      outgoingTcp.set(hit, compactOutgoing(factsOf(snap)));
      servedCache.delete(hit);
    }
    return hit;
  }
  const f = factsOf(snap);
  const entry: Snapshot = { ...snap, sockets: snap.sockets.filter((s) => s.protocol === 'udp') };
  const groups = new Map<string, ConnGroup>();
  for (const [k, g] of f.groups) groups.set(k, g.protocol === 'udp' ? g : { ...g, sockets: [] });
  if (keepOutgoing) outgoingTcp.set(entry, compactOutgoing(f));
  cache.set(entry, withIdentityIndexes(entry, f.listening, f.listeners, groups));
  windowEntries.set(snap, entry);
  isWindowEntry.add(entry);
  return entry;
}

/** Local port, peer port and state of each outgoing TCP socket of `f` (a whole snapshot's facts). */
function compactOutgoing(f: Facts): OutgoingTcp {
  let n = 0;
  for (const g of f.groups.values()) if (g.protocol === 'tcp' && g.direction === 'out') n += g.sockets.length;
  const kept: OutgoingTcp = { localPorts: new Uint16Array(n), peerPorts: new Uint16Array(n), states: new Uint8Array(n) };
  let i = 0;
  for (const g of f.groups.values()) {
    if (g.protocol !== 'tcp' || g.direction !== 'out') continue;
    for (const s of g.sockets) {
      kept.localPorts[i] = s.local.port;
      kept.peerPorts[i] = g.port;
      kept.states[i++] = STATE_INDEX.get(s.state) ?? 0;
    }
  }
  return kept;
}

/** The port fields of a recommendation about a group: `port` for incoming, `peerPort` for outgoing. */
export function groupPortFields(g: Pick<ConnGroup, 'direction' | 'protocol' | 'port'>): { protocol: Protocol; port?: number; peerPort?: number } {
  return g.direction === 'in' ? { protocol: g.protocol, port: g.port } : { protocol: g.protocol, peerPort: g.port };
}

/** "tcp port 8080" or "outgoing tcp connections to port 5432". */
export function groupLabel(g: Pick<ConnGroup, 'direction' | 'protocol' | 'port'>): string {
  return g.direction === 'in' ? `${g.protocol} port ${g.port}` : `outgoing ${g.protocol} connections to port ${g.port}`;
}

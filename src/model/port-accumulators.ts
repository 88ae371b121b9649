// The accumulators behind the per-port and per-peer-port summaries (aggregate.ts): one per (host,)
// protocol and port, found through a paged key table, with flat state counts and a few peers kept in
// small arrays before a Map; aggregate.ts turns them into PortSummary / PeerPortSummary records.
import { TCP_STATES, type ProcessRef, type Protocol, type Socket, type SocketState } from './socket.js';
import type { Listener, PeerCount, PortSummary, StateCounts } from './aggregate.js';
import { keepFirst } from './keep-first.js';
import { mustBeHeld } from './owner.js';

const TOP_PEERS = 5;
const EMPTY_PROCESSES: ProcessRef[] = [];
const PROTOCOL_BASE: Record<Protocol, number> = { tcp: 0, udp: 65536, unix: 131072 };
/** Numeric (protocol, port) keys: three protocols of 65,536 ports, in pages of PAGE (see Accumulators). */
const N_KEYS = 3 * 65536;
const PAGE_BITS = 10;
const PAGE = 1 << PAGE_BITS;
/** Index of each state in TCP_STATES (the column of a port's row in the flat counts array). */
const STATE_INDEX = Object.fromEntries(TCP_STATES.map((s, i) => [s, i])) as Record<SocketState, number>;
const N_STATES = TCP_STATES.length;

/** Numeric key of (protocol, port): cheaper than string keys at 100,000 sockets. */
function keyOf(protocol: Protocol, port: number): number {
  return PROTOCOL_BASE[protocol] + port;
}

/**
 * The `TOP_PEERS` peers with the most sockets (most first, then by address) in one pass: a server
 * port can have 50,000 peers, and sorting them all to keep five is most of an aggregation.
 */
function topPeersOf(peers: Map<string, number>): PeerCount[] {
  const top: PeerCount[] = [];
  for (const [address, count] of peers) keepTop(top, address, count);
  return top;
}

/** Most sockets first, then by address. */
function peerOrder(a: PeerCount, b: PeerCount): number {
  return b.count - a.count || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0);
}

/** Adds one peer to `top` (at most TOP_PEERS, most first, then by address) if it belongs there. */
function keepTop(top: PeerCount[], address: string, count: number): void {
  // Most peers of a busy port do not belong: they are turned away before an object is made for them.
  if (top.length === TOP_PEERS) {
    const last = top[TOP_PEERS - 1];
    if (count < last.count || (count === last.count && address > last.address)) return;
  }
  keepFirst(top, { address, count }, TOP_PEERS, peerOrder);
}

/** Distinct peers an accumulator keeps in two small arrays before it makes a Map of them. */
const FEW_PEERS = 8;

/**
 * One (host, protocol, port) being summed. State counts live in one flat Int32Array shared by all
 * accumulators (row `row`), and peers start as one address: most ports of a busy client host have a
 * single socket, so a Map per port would be most of the allocation.
 */
export interface Acc {
  host?: string;
  /** Numeric (protocol, port) key, for sorting. */
  num: number;
  row: number;
  protocol: Protocol;
  port: number;
  total: number;
  listeners: Listener[] | null;
  /** Created on first use: most ports of a busy client host have one socket and no owner. */
  processes: Map<number, ProcessRef> | null;
  /** The first peer address seen (and its count). */
  peer: string | undefined;
  peerN: number;
  /**
   * The next FEW_PEERS distinct peers and their counts, until one more makes `peers` (which then holds
   * every peer, the first included): a client port often reaches a few servers from the same port
   * number (one ephemeral range per destination), and a Map each is most of an aggregation.
   */
  few: string[] | null;
  fewN: number[] | null;
  peers: Map<string, number> | null;
  recvQ: number;
  sendQ: number;
  /**
   * A UDP port's connected sockets with bytes waiting to be read: queued bytes -> how many sockets hold that
   * many (created on first use; sockets with an empty queue are not counted), so that the fullest one is known
   * after removals too (PortSummary.fullestConnectedRecvQ).
   */
  connectedQueues: Map<number, number> | null;
  /**
   * Uids of the sockets a process must hold (model/owner.ts mustBeHeld), with their counts: the first one
   * in `uid`/`uidN`, any other in `otherUids` (a port's sockets are nearly always one user's).
   */
  uid: number | undefined;
  uidN: number;
  otherUids: Map<number, number> | null;
  /** Changed since the last finish() made `summary` (PortAggregator sets it on every add and remove). */
  dirty: boolean;
  /** What the last finish() made of this accumulator, for a rolling aggregator's next finish(). */
  summary: PortSummary | null;
}

/** The accumulators of one aggregation pass and their flat state counts. */
export class Accumulators {
  /**
   * Sockets without a host: list index + 1 by numeric (protocol, port) key, 0 when none yet, in pages
   * of PAGE keys made on first use (a flat table instead of a Map: a busy client host has tens of
   * thousands of ports, and walking the pages in key order replaces the sort; a host with a few
   * ports pays a few pages).
   */
  private readonly pages: (Int32Array | undefined)[] = new Array(N_KEYS / PAGE);
  /** Sockets with a host (several --host): host + key. */
  private readonly byHostKey = new Map<string, Acc>();
  private hasHosts = false;
  readonly list: Acc[] = [];
  counts = new Int32Array(N_STATES * 1024);

  get(s: Socket, port: number): Acc {
    return this.getKey(s.protocol, port, s.host);
  }

  /** The accumulator of (host,) protocol and port, made on first use. */
  getKey(protocol: Protocol, port: number, host: string | undefined): Acc {
    const num = keyOf(protocol, port);
    if (host === undefined) {
      const page = (this.pages[num >>> PAGE_BITS] ??= new Int32Array(PAGE));
      const i = page[num & (PAGE - 1)];
      if (i !== 0) return this.list[i - 1];
      const a = this.add(protocol, port, num, undefined);
      page[num & (PAGE - 1)] = this.list.length;
      return a;
    }
    const key = `${host}\u0000${num}`;
    let a = this.byHostKey.get(key);
    if (a === undefined) {
      this.hasHosts = true;
      this.byHostKey.set(key, (a = this.add(protocol, port, num, host)));
    }
    return a;
  }

  private add(protocol: Protocol, port: number, num: number, host: string | undefined): Acc {
    const row = this.list.length * N_STATES;
    if (row + N_STATES > this.counts.length) {
      const grown = new Int32Array(this.counts.length * 2);
      grown.set(this.counts);
      this.counts = grown;
    }
    const a: Acc = { host, num, row, protocol, port, total: 0, listeners: null, processes: null, peer: undefined, peerN: 0, few: null, fewN: null, peers: null, recvQ: 0, sendQ: 0, connectedQueues: null, uid: undefined, uidN: 0, otherUids: null, dirty: true, summary: null };
    this.list.push(a);
    return a;
  }

  count(a: Acc, s: Socket): void {
    this.counts[a.row + STATE_INDEX[s.state]]++;
    a.total++;
    if (s.uid !== undefined && mustBeHeld(s)) addUid(a, s.uid);
  }

  /** Takes back one count(a, s). */
  uncount(a: Acc, s: Socket): void {
    this.counts[a.row + STATE_INDEX[s.state]]--;
    a.total--;
    if (s.uid !== undefined && mustBeHeld(s)) removeUid(a, s.uid);
  }

  /** Accumulators left without sockets (a rolling aggregation keeps them: ports come and go). */
  emptyCount(): number {
    let n = 0;
    for (let i = 0; i < this.list.length; i++) if (this.list[i].total === 0) n++;
    return n;
  }

  /** Forgets what a finish() set on every accumulator (processes, listeners), before the next finish(). */
  clearFinished(): void {
    for (let i = 0; i < this.list.length; i++) {
      const a = this.list[i];
      a.processes = null;
      a.listeners = null;
    }
  }

  states(a: Acc): StateCounts {
    const c = this.counts;
    const r = a.row;
    return {
      ESTABLISHED: c[r],
      SYN_SENT: c[r + 1],
      SYN_RECV: c[r + 2],
      FIN_WAIT1: c[r + 3],
      FIN_WAIT2: c[r + 4],
      TIME_WAIT: c[r + 5],
      CLOSE: c[r + 6],
      CLOSE_WAIT: c[r + 7],
      LAST_ACK: c[r + 8],
      LISTEN: c[r + 9],
      CLOSING: c[r + 10],
    };
  }

  /** Accumulators sorted by (host,) protocol, then port. */
  sorted(): Acc[] {
    // Sorted copies: the pages hold positions in `list`, which must not move (an aggregator that rolls
    // from one poll to the next keeps using them).
    if (this.hasHosts) return this.list.slice().sort(byProtocolThenPort);
    // Key order without comparing: a walk of the pages in use when there are many ports, else the
    // sort (a handful of ports).
    if (this.list.length < 4096) return this.list.slice().sort(byNum);
    const out: Acc[] = new Array(this.list.length);
    let k = 0;
    for (let p = 0; p < this.pages.length; p++) {
      const page = this.pages[p];
      if (page === undefined) continue;
      for (let j = 0; j < PAGE; j++) {
        const i = page[j];
        if (i !== 0) out[k++] = this.list[i - 1];
      }
    }
    return out;
  }
}

// The literal in Accumulators.states() lists TCP_STATES by position: keep them in step.
if (TCP_STATES.join() !== 'ESTABLISHED,SYN_SENT,SYN_RECV,FIN_WAIT1,FIN_WAIT2,TIME_WAIT,CLOSE,CLOSE_WAIT,LAST_ACK,LISTEN,CLOSING') {
  throw new Error('aggregate.ts: TCP_STATES changed; update Accumulators.states()');
}

export function addProcesses(a: Acc, list: readonly ProcessRef[]): void {
  if (list.length === 0) return;
  a.processes ??= new Map();
  for (const p of list) if (!a.processes.has(p.pid)) a.processes.set(p.pid, p);
}

function addUid(a: Acc, uid: number): void {
  if (a.uid === uid) a.uidN++;
  else if (a.uidN === 0) {
    a.uid = uid;
    a.uidN = 1;
  } else {
    a.otherUids ??= new Map();
    a.otherUids.set(uid, (a.otherUids.get(uid) ?? 0) + 1);
  }
}

/** Takes back one addUid(a, uid). */
function removeUid(a: Acc, uid: number): void {
  if (a.uid === uid && a.uidN > 0) {
    a.uidN--;
    return;
  }
  const n = a.otherUids?.get(uid);
  if (n === undefined) return;
  if (n <= 1) a.otherUids!.delete(uid);
  else a.otherUids!.set(uid, n - 1);
}

const NO_UIDS: readonly number[] = Object.freeze([]);
/** One frozen array per single uid (a host has a few users; a client host has 50,000 one-user ports a poll). */
const ONE_UID = new Map<number, readonly number[]>();

/** Distinct uids of the accumulator's sockets that a process must hold, ascending (usually one). */
export function uidsOf(a: Acc): readonly number[] {
  if (a.otherUids === null || a.otherUids.size === 0) {
    if (a.uidN === 0) return NO_UIDS;
    let one = ONE_UID.get(a.uid!);
    if (one === undefined) ONE_UID.set(a.uid!, (one = Object.freeze([a.uid!])));
    return one;
  }
  const out: number[] = a.uidN > 0 ? [a.uid!] : [];
  // A uid can be counted in both places (it took `uid` again after that count fell to 0).
  if (a.otherUids !== null) for (const [u, n] of a.otherUids) if (n > 0 && (a.uidN === 0 || u !== a.uid)) out.push(u);
  return out.length > 1 ? out.sort((x, y) => x - y) : out;
}

export function addPeer(a: Acc, address: string): void {
  if (a.peers !== null) {
    a.peers.set(address, (a.peers.get(address) ?? 0) + 1);
    return;
  }
  if (a.peer === undefined) {
    a.peer = address;
    a.peerN = 1;
    return;
  }
  if (a.peer === address) {
    a.peerN++;
    return;
  }
  const few = a.few;
  const fewN = a.fewN;
  if (few === null || fewN === null) {
    a.few = [address];
    a.fewN = [1];
    return;
  }
  for (let i = 0; i < few.length; i++) {
    if (few[i] === address) {
      fewN[i]++;
      return;
    }
  }
  if (few.length < FEW_PEERS) {
    few.push(address);
    fewN.push(1);
    return;
  }
  const m = new Map<string, number>([[a.peer, a.peerN]]);
  for (let i = 0; i < few.length; i++) m.set(few[i], fewN[i]);
  m.set(address, 1);
  a.peers = m;
  a.few = null;
  a.fewN = null;
}

/** Takes back one addPeer(a, address). */
export function removePeer(a: Acc, address: string): void {
  if (a.peers !== null) {
    const n = a.peers.get(address);
    if (n === undefined) return;
    if (n <= 1) a.peers.delete(address);
    else a.peers.set(address, n - 1);
    return;
  }
  const few = a.few;
  const fewN = a.fewN;
  if (a.peer === address) {
    if (--a.peerN > 0) return;
    // The first peer is gone: the next one (if any) takes its place, so that `peer` is set whenever `few` is.
    if (few !== null && fewN !== null) {
      a.peer = few.shift();
      a.peerN = fewN.shift()!;
      if (few.length === 0) a.few = a.fewN = null;
    } else {
      a.peer = undefined;
      a.peerN = 0;
    }
    return;
  }
  if (few === null || fewN === null) return;
  const i = few.indexOf(address);
  if (i < 0 || --fewN[i] > 0) return;
  few.splice(i, 1);
  fewN.splice(i, 1);
  if (few.length === 0) a.few = a.fewN = null;
}

export function peerCountOf(a: Acc): number {
  if (a.peers !== null) return a.peers.size;
  return a.peer === undefined ? 0 : 1 + (a.few?.length ?? 0);
}

export function topPeersOfAcc(a: Acc): PeerCount[] {
  if (a.peers !== null) return topPeersOf(a.peers);
  if (a.peer === undefined) return [];
  const top: PeerCount[] = [{ address: a.peer, count: a.peerN }];
  const few = a.few;
  const fewN = a.fewN;
  if (few !== null && fewN !== null) for (let i = 0; i < few.length; i++) keepTop(top, few[i], fewN[i]);
  return top;
}

export function processesOf(a: Acc): ProcessRef[] {
  return a.processes ? [...a.processes.values()].sort((x, y) => x.pid - y.pid) : EMPTY_PROCESSES;
}

function byNum(x: { num: number }, y: { num: number }): number {
  return x.num - y.num; // tcp < udp < unix, then port
}

function byProtocolThenPort(x: { host?: string; num: number }, y: { host?: string; num: number }): number {
  if (x.host !== y.host) {
    const a = x.host ?? '';
    const b = y.host ?? '';
    if (a !== b) return a < b ? -1 : 1;
  }
  return x.num - y.num; // (host,) tcp < udp < unix, then port
}

/** Counts a connected UDP socket's queued bytes (PortAggregator.add; `delta` -1 from remove). */
export function countConnectedQueue(a: Acc, bytes: number, delta: 1 | -1): void {
  if (bytes <= 0) return;
  const q = (a.connectedQueues ??= new Map());
  const n = (q.get(bytes) ?? 0) + delta;
  if (n > 0) q.set(bytes, n);
  else q.delete(bytes);
}

/** The fullest connected UDP socket's queued bytes (0 when none holds any). */
export function fullestConnectedQueue(a: Acc): number {
  let most = 0;
  if (a.connectedQueues) for (const bytes of a.connectedQueues.keys()) if (bytes > most) most = bytes;
  return most;
}

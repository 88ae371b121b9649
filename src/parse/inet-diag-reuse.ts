// Reuse of unchanged sockets across dumps (SocketReuse): reads the fields of an inet_diag_msg the
// parser would set and hands back the previous dump's object when none changed. Pure, like the parser.
import { KERNEL_STATE_BY_NUMBER, NO_PROCESSES, type Socket } from '../model/socket.js';
import { AF_INET6, align4 } from './netlink-frame.js';
import { INET_DIAG_CONG, INET_DIAG_INFO, INET_DIAG_MSG_LEN, INET_DIAG_SKMEMINFO, TCP_LISTEN, TCP_NEW_SYN_RECV, TCP_TIME_WAIT } from './inet-diag-request.js';

/** How far past the cursor a reused socket is looked for in the previous dump (see SocketReuse). */
const REUSE_LOOKAHEAD = 8;
/** Misses in a row after which SocketReuse looks cookies up in an index of the previous dump. */
const REUSE_MISSES_BEFORE_INDEX = 16;

/**
 * The sockets of the previous dump of the same kind (same protocol, families and filter) and their
 * cookies, so that a socket the kernel reports unchanged is the same object again: a monitor polling
 * 100,000 idle connections every second then allocates (and the garbage collector copies) only what
 * changed, as htop keeps its process records across refreshes.
 *
 * "Unchanged" is every field the parser sets: same cookie (the kernel's id of the socket, never reused
 * during a boot), state, ports, queues, uid and inode, with no timer, no bound interface and no
 * attributes asked for (tcp_info changes on every read: a details dump never reuses). Only TCP
 * sockets that no attribution touched are reused (LISTEN sockets and any socket with processes are
 * made anew), so attribution never writes to an object an older snapshot holds.
 *
 * The kernel walks its hash table in the same order on every dump, so the previous dump is read with
 * a cursor (see find()); a connected TCP socket's addresses never change, and one that connects again
 * passes through SYN_SENT, which has a timer, so cookie, state and ports stand for the addresses.
 */
export class SocketReuse {
  private prev: Socket[] = [];
  private prevCookies = new Float64Array(0);
  /** Sockets of the previous dump: the caller may append other sockets to its array afterwards. */
  private prevLength = 0;
  private cursor = 0;
  private misses = 0;
  private index: Map<number, number> | null = null;
  private next: Socket[] = [];
  private nextCookies = new Float64Array(1024);
  /** A dump is being parsed with this state (begin() refuses a second one at the same time). */
  private active = false;
  /** Previous dump's positions this dump found again (1), for droppedSockets(). */
  private taken = new Uint8Array(0);
  /** This dump's positions holding a socket of the previous dump (1), for inPrevious(). */
  private carried = new Uint8Array(1024);
  /** Position in the previous dump of what find() returned last. */
  private lastFound = -1;
  /** Sockets reused in the current dump (tests and the bench read it). */
  hits = 0;

  /**
   * Starts a dump whose sockets are pushed into `into`. False (and no reuse for that dump) while
   * another dump with this state has not ended: two polls of one source at once.
   */
  begin(into: Socket[]): boolean {
    if (this.active) return false;
    this.active = true;
    this.next = into;
    this.cursor = 0;
    this.misses = 0;
    this.index = null;
    this.hits = 0;
    if (this.taken.length < this.prevLength) this.taken = new Uint8Array(this.prevLength + 1024);
    else this.taken.fill(0, 0, this.prevLength);
    this.carried.fill(0);
    return true;
  }

  /** Makes the dump just parsed the one the next dump reuses from. */
  end(): void {
    this.prev = this.next;
    this.prevLength = this.next.length;
    const c = this.prevCookies;
    this.prevCookies = this.nextCookies;
    this.nextCookies = c.length >= this.prevLength ? c : new Float64Array(this.prevLength + 1024);
    this.next = [];
    this.index = null;
    this.active = false;
  }

  /** Forgets the previous dump (a dump that failed half-way). */
  reset(): void {
    this.prev = [];
    this.prevLength = 0;
    this.next = [];
    this.index = null;
    this.active = false;
  }

  /** The previous dump's array (with whatever its holder appended since). */
  get previous(): readonly Socket[] {
    return this.prev;
  }

  /** The socket find() returned last is reused at `index` of the current dump. */
  accept(index: number): void {
    this.carry(index);
    this.hits++;
  }

  /**
   * The socket at `index` of the current dump, made anew, is the one find() returned last with the
   * same state, ports and queues (see reusable()): `made` is checked against it once more for what a
   * per-port aggregation also reads (the peer address; the local address and protocol for good
   * measure), so that even a previous array reordered by someone else cannot make two different
   * sockets count as one.
   */
  carryIfSame(index: number, made: Socket): void {
    const p = this.prev[this.lastFound];
    if (p.peer.address !== made.peer.address || p.local.address !== made.local.address || p.protocol !== made.protocol) return;
    this.carry(index);
  }

  private carry(index: number): void {
    if (index >= this.carried.length) this.carried = grown(this.carried, new Uint8Array(Math.max(1024, this.carried.length * 2)));
    this.carried[index] = 1;
    this.taken[this.lastFound] = 1;
  }

  /**
   * Whether the socket at `index` of the current dump was in the previous dump with the same state,
   * ports and queues (the same object, or a new one with only, say, its timer changed): a rolling
   * aggregation already counts it.
   */
  inPrevious(index: number): boolean {
    return index < this.carried.length && this.carried[index] === 1;
  }

  /**
   * Calls `fn` with every socket of the previous dump's array that the current dump did not find again
   * (reused or carried): the previous dump's sockets gone or changed, and whatever the caller appended
   * to that array after it (NetlinkSource appends the other dumps' sockets). Before end().
   */
  droppedSockets(fn: (s: Socket) => void): void {
    const prev = this.prev;
    const taken = this.taken;
    // (Holes only if someone shortened the array since: snapshots are not to be changed.)
    for (let i = 0; i < this.prevLength; i++) if (taken[i] === 0 && prev[i] !== undefined) fn(prev[i]);
    for (let i = this.prevLength; i < prev.length; i++) fn(prev[i]);
  }

  /** Records the cookie of the socket about to be pushed at `index` of the current dump. */
  record(index: number, cookie: number): void {
    if (index >= this.nextCookies.length) this.nextCookies = grown(this.nextCookies, new Float64Array(Math.max(1024, this.nextCookies.length * 2)));
    this.nextCookies[index] = cookie;
  }

  /**
   * The previous dump's socket with this cookie: at the cursor or a few after it, else at the same
   * position; after a few misses in a row (a long run of sockets gone), through an index of the
   * previous dump's cookies, built then and kept for the rest of this dump.
   */
  find(cookie: number, index: number): Socket | undefined {
    const prev = this.prev;
    const cookies = this.prevCookies;
    const n = this.prevLength;
    const stop = Math.min(n, this.cursor + REUSE_LOOKAHEAD);
    for (let i = this.cursor; i < stop; i++) {
      if (cookies[i] === cookie) return this.found(i);
    }
    if (index < n && cookies[index] === cookie) return this.found(index);
    if (++this.misses < REUSE_MISSES_BEFORE_INDEX && this.index === null) return undefined;
    if (this.index === null) {
      this.index = new Map();
      for (let i = 0; i < n; i++) if (cookies[i] === cookies[i]) this.index.set(cookies[i], i);
    }
    const i = this.index.get(cookie);
    return i === undefined ? undefined : this.found(i);
  }

  private found(i: number): Socket {
    this.cursor = i + 1;
    this.misses = 0;
    this.lastFound = i;
    return this.prev[i];
  }
}

/** `to` (a bigger array) holding `from`'s values, for the growing arrays of SocketReuse. */
function grown<T extends Uint8Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * The previous dump's socket for the message at [b, end) when nothing the parser reads has changed;
 * null when it is the same socket with the same state, ports and queues (what the per-port
 * aggregation reads) but something else changed, such as its timer (a TIME_WAIT socket's expiry moves
 * on every dump): the caller makes a new object and calls carryIfSame(); undefined otherwise. Records the
 * message's cookie either way (NaN when it has none, or one too big for a double).
 */
export function reusable(dv: DataView, b: number, end: number, reuse: SocketReuse, index: number): Socket | null | undefined {
  const cookieLo = dv.getUint32(b + 44, true);
  const cookieHi = dv.getUint32(b + 48, true);
  if (cookieHi >= 0x200000) {
    reuse.record(index, NaN);
    return undefined;
  }
  const cookie = cookieHi * 4294967296 + cookieLo;
  reuse.record(index, cookie);
  const kstate = dv.getUint8(b + 1);
  // LISTEN sockets are attribution's, and a socket bound to an interface gets its name later: made anew.
  if (kstate === TCP_LISTEN || dv.getUint32(b + 40, true) !== 0) return undefined;
  if (end !== b + INET_DIAG_MSG_LEN && hasWantedAttribute(dv, b + INET_DIAG_MSG_LEN, end)) return undefined;
  const p = reuse.find(cookie, index);
  if (
    p === undefined ||
    p.state !== KERNEL_STATE_BY_NUMBER[kstate] ||
    p.recvQ !== dv.getUint32(b + 56, true) ||
    p.sendQ !== dv.getUint32(b + 60, true) ||
    p.local.port !== dv.getUint16(b + 4, false) ||
    p.peer.port !== dv.getUint16(b + 6, false) ||
    p.ipVersion !== (dv.getUint8(b) === AF_INET6 ? 6 : 4)
  ) {
    return undefined;
  }
  if (
    dv.getUint8(b + 2) !== 0 ||
    p.timer !== undefined ||
    p.processes !== NO_PROCESSES ||
    p.boundDevice !== undefined ||
    p.tcpInfo !== undefined ||
    p.skmem !== undefined ||
    (kstate !== TCP_TIME_WAIT && kstate !== TCP_NEW_SYN_RECV && (p.uid !== dv.getUint32(b + 64, true) || p.inode !== dv.getUint32(b + 68, true)))
  ) {
    return null;
  }
  return p;
}

/** True when the attributes at [off, end) hold one the parser reads (tcp_info, skmeminfo, congestion). */
function hasWantedAttribute(dv: DataView, off: number, end: number): boolean {
  while (off + 4 <= end) {
    const alen = dv.getUint16(off, true);
    if (alen < 4 || off + alen > end) return true;
    const type = dv.getUint16(off + 2, true) & 0x3fff;
    if (type === INET_DIAG_INFO || type === INET_DIAG_SKMEMINFO || type === INET_DIAG_CONG) return true;
    off += align4(alen);
  }
  return false;
}

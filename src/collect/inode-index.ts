// The inode -> holders index of process attribution: which processes (pid, name, fd) hold each socket
// inode, kept up to date per pid by the ProcessAttributor (src/collect/processes.ts) rather than rebuilt
// on each poll. No I/O: an open-addressing table over typed arrays.
import type { ProcessRef } from '../model/socket.js';

const byPidFd = (a: ProcessRef, b: ProcessRef): number => a.pid - b.pid || a.fd - b.fd;

/**
 * inode -> processes holding it: open addressing with linear probing over typed arrays (a Map keyed by
 * numbers above 2^31 costs several times more per lookup, and a warm poll looks up every socket). Each
 * slot also remembers the last pass whose socket list contained the inode, so that "disappeared since
 * the previous pass" needs no set of the previous pass's inodes. A lone holder (most sockets) is kept as
 * two numbers, pid and fd; the ProcessRef array is made when the socket's owners are asked for, and then
 * kept. Holder arrays are replaced, never mutated: snapshots share them as `socket.processes`.
 */
export class InodeIndex {
  private keys = new Float64Array(1024);
  /** Several holders (sorted), or a lone holder's array once asked for; undefined: the lone holder below. */
  private holders: (ProcessRef[] | undefined)[] = new Array(1024).fill(undefined);
  private pid = new Int32Array(1024);
  private fd = new Int32Array(1024);
  private seen = new Int32Array(1024);
  private mask = 1023;
  /** 32 - log2(capacity): multiplicative hashing keeps the high bits of the product. */
  private shift = 22;
  private used = 0;

  /** `nameOf(pid)`: the current name of a cached process, for ProcessRefs made on demand. */
  constructor(private readonly nameOf: (pid: number) => string) {}

  get size(): number {
    return this.used;
  }

  private home(ino: number): number {
    // Kernel socket inodes are 32-bit (get_next_ino); wider values still work, hashed on both halves.
    const x = ino <= 0xffffffff ? ino : ino % 4294967296 ^ Math.floor(ino / 4294967296);
    return Math.imul(x, 0x9e3779b1) >>> this.shift;
  }

  /** Slot of `ino`, or -1. */
  private find(ino: number): number {
    const keys = this.keys;
    for (let i = this.home(ino); ; i = (i + 1) & this.mask) {
      const k = keys[i];
      if (k === ino) return i;
      if (k === 0) return -1;
    }
  }

  private listAt(i: number): ProcessRef[] {
    let list = this.holders[i];
    if (list === undefined) {
      const pid = this.pid[i];
      list = [{ pid, name: this.nameOf(pid), fd: this.fd[i] }];
      this.holders[i] = list;
    }
    return list;
  }

  get(ino: number): ProcessRef[] | undefined {
    const i = this.find(ino);
    return i < 0 ? undefined : this.listAt(i);
  }

  /** Room for `more` inodes without growing on the way (a process with 15,000 sockets is read at once). */
  reserve(more: number): void {
    while ((this.used + more) * 2 > this.keys.length) this.grow();
  }

  /** Records that the socket list of pass `gen` contains `ino` (no-op when nobody holds it). */
  markSeen(ino: number, gen: number): void {
    const i = this.find(ino);
    if (i >= 0) this.seen[i] = gen;
  }

  /** Inodes seen in pass `prev` and not since: they disappeared from the socket list. */
  disappearedSince(prev: number): number[] {
    const out: number[] = [];
    const { keys, seen } = this;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0 && seen[i] === prev) out.push(keys[i]);
    return out;
  }

  add(ino: number, pid: number, fd: number, name: string, gen: number): void {
    let i = this.find(ino);
    if (i >= 0) {
      const list = [...this.listAt(i), { pid, name, fd }];
      list.sort(byPidFd);
      this.holders[i] = list;
      return;
    }
    if ((this.used + 1) * 2 > this.keys.length) this.grow();
    for (i = this.home(ino); this.keys[i] !== 0; i = (i + 1) & this.mask);
    this.keys[i] = ino;
    this.holders[i] = undefined;
    this.pid[i] = pid;
    this.fd[i] = fd;
    // A socket found in this pass is taken as present in it: if it is gone by the next pass its holder is re-read.
    this.seen[i] = gen;
    this.used++;
  }

  /** Drops the holder `pid` at `fd` of `ino`. */
  remove(ino: number, pid: number, fd: number): void {
    const i = this.find(ino);
    if (i < 0) return;
    const h = this.holders[i];
    if (h === undefined || h.length === 1) {
      const only = h ? h[0] : { pid: this.pid[i], fd: this.fd[i] };
      if (only.pid === pid && only.fd === fd) this.deleteSlot(i);
      return;
    }
    const list = h.filter((r) => r.pid !== pid || r.fd !== fd);
    if (list.length === 0) this.deleteSlot(i);
    else this.holders[i] = list;
  }

  clear(): void {
    this.alloc(1024);
    this.used = 0;
  }

  private alloc(size: number): void {
    this.keys = new Float64Array(size);
    this.holders = new Array(size).fill(undefined);
    this.pid = new Int32Array(size);
    this.fd = new Int32Array(size);
    this.seen = new Int32Array(size);
    this.mask = size - 1;
    this.shift = 32 - Math.log2(size);
  }

  private move(from: number, to: number): void {
    this.keys[to] = this.keys[from];
    this.holders[to] = this.holders[from];
    this.pid[to] = this.pid[from];
    this.fd[to] = this.fd[from];
    this.seen[to] = this.seen[from];
  }

  /** Backward-shift deletion: keeps every remaining key reachable from its home slot without tombstones. */
  private deleteSlot(i: number): void {
    const { keys, mask } = this;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const k = keys[j];
      if (k === 0) break;
      const h = this.home(k);
      // Leave k where it is when its home lies cyclically in (i, j].
      if (i <= j ? i < h && h <= j : i < h || h <= j) continue;
      this.move(j, i);
      i = j;
    }
    keys[i] = 0;
    this.holders[i] = undefined;
    this.seen[i] = 0;
    this.used--;
  }

  private grow(): void {
    const { keys, holders, pid, fd, seen } = this;
    this.alloc(keys.length * 2);
    for (let j = 0; j < keys.length; j++) {
      if (keys[j] === 0) continue;
      let i = this.home(keys[j]);
      while (this.keys[i] !== 0) i = (i + 1) & this.mask;
      this.keys[i] = keys[j];
      this.holders[i] = holders[j];
      this.pid[i] = pid[j];
      this.fd[i] = fd[j];
      this.seen[i] = seen[j];
    }
  }
}

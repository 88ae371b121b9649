// Per UDP address:port series: queued bytes, the fullest receive buffer and a drop total that never falls.
import { Counter, Gauge, type Registry } from 'prom-client';
import { escapeControl } from '../model/escape.js';
import { socketDrops, type Socket } from '../model/socket.js';
import type { Snapshot } from '../model/snapshot.js';
import { addTo, seriesAddress } from './series-labels.js';

/**
 * How many collections a UDP address:port's drop total, and a socket's last drop count, are kept while
 * missing: a service restarted between two collections carries on from its total instead of starting
 * again from 0, and a socket back after a gap adds its rise, not its whole count again.
 */
const UDP_DROPS_KEEP_COLLECTIONS = 10;

/** The running drop total of one UDP address:port (see UdpPortMetrics.update). */
interface UdpDropTotal {
  total: number;
  /** Collections in a row without a socket there. */
  absent: number;
  /** The sum of drops of its sockets that the source gave no inode or cookie (netstat), at the last collection. */
  anonymous: number;
}

/**
 * Per UDP port and address, bounded as sockscope_sockets is: only the ports counted as serving (not the
 * ephemeral range, where unconnected sockets are clients), one series per address:port, never per socket.
 */
export class UdpPortMetrics {
  private readonly udpQueue: Gauge;
  private readonly udpFill: Gauge;
  private readonly udpDrops: Counter;
  /** Per UDP address:port (`port|address`), the monotonic drop total exported as sockscope_udp_socket_drops_total. */
  private udpDropTotals = new Map<string, UdpDropTotal>();
  /**
   * Each UDP socket's sk_drops when last seen, by `port|address|cookie or inode`, and for how many collections
   * it has been missing: one missing from a collection (a dump cut short, a socket connected for a while)
   * adds only its rise when it is back, not its whole count again.
   */
  private udpLastDrops = new Map<string, { drops: number; absent: number }>();

  constructor(registry: Registry) {
    const registers = [registry];
    const udpLabels = ['port', 'address'];
    this.udpQueue = new Gauge({ name: 'sockscope_udp_receive_queue_bytes', help: 'Bytes queued for recv() (skmem r, else Recv-Q), summed over the unconnected UDP sockets bound to the address:port', labelNames: udpLabels, registers });
    this.udpFill = new Gauge({ name: 'sockscope_udp_receive_buffer_fill_max', help: 'Receive queue over receive buffer (skmem r / rb) of the fullest UDP socket bound to the address:port: near 1, datagrams hashed to it are dropped; absent when the source shows no socket memory', labelNames: udpLabels, registers });
    this.udpDrops = new Counter({ name: 'sockscope_udp_socket_drops_total', help: 'Datagrams the kernel dropped for the unconnected UDP sockets bound to the address:port (sk_drops, ss -uam d) since this exporter first saw them: each socket\'s rise since the last collection is added (a new socket\'s whole count), so the total does not fall when one of them closes', labelNames: udpLabels, registers });
  }

  /**
   * Queue, fullest buffer and drops of the unconnected UDP sockets per (port, seriesAddress), for the ports
   * sockscope_sockets exports (not the ephemeral range): which UDP service drops, where the host counters
   * only say that one does. Replaces every value.
   */
  update(snap: Snapshot, ephemeral: readonly [number, number]): void {
    this.udpQueue.reset();
    this.udpFill.reset();
    this.udpDrops.reset();
    const groups = new Map<string, Socket[]>();
    for (const s of snap.sockets) {
      if (s.protocol !== 'udp' || s.peer.port !== 0 || s.local.port === 0) continue;
      if (s.local.port >= ephemeral[0] && s.local.port <= ephemeral[1]) continue;
      addTo(groups, `${s.local.port}|${seriesAddress(s)}`, s);
    }
    const lastDrops = new Map<string, { drops: number; absent: number }>();
    const totals = new Map<string, UdpDropTotal>();
    for (const [k, group] of groups) {
      const labels = { port: String(group[0].local.port), address: escapeControl(seriesAddress(group[0])) };
      let queue = 0;
      let fill: number | null = null;
      // The drops counter is not the sum of the members' sk_drops: that sum falls when a member closes (an
      // SO_REUSEPORT worker restarted, members with 1,000,000 and 10 drops, the 10 one closing) and rate()
      // reads any fall as a reset, counting the whole 1,000,000 again: a false alert. Each socket's rise
      // since the last collection is added instead, a socket not seen before with its whole count (sk_drops
      // starts at 0 with the socket), and a closed one takes nothing back.
      const prev = this.udpDropTotals.get(k);
      let seen = false;
      let rise = 0;
      let anonymous = 0;
      for (const s of group) {
        queue += s.skmem?.rmemAlloc ?? s.recvQ;
        if (s.skmem && s.skmem.rcvbuf > 0) fill = Math.max(fill ?? 0, s.skmem.rmemAlloc / s.skmem.rcvbuf);
        const d = socketDrops(s);
        if (d == null) continue;
        seen = true;
        const id = s.cookie ?? (s.inode ? `i${s.inode}` : undefined);
        if (id === undefined) {
          anonymous += d;
          continue;
        }
        const key = `${k}|${id}`;
        const last = this.udpLastDrops.get(key)?.drops;
        // sk_drops only falls when its 32 bits wrap: nothing is added then, the next rise counts again.
        rise += last === undefined ? d : Math.max(0, d - last);
        lastDrops.set(key, { drops: d, absent: 0 });
      }
      this.udpQueue.set(labels, queue);
      if (fill !== null) this.udpFill.set(labels, fill);
      if (!seen) {
        if (prev) totals.set(k, prev);
        continue;
      }
      // Sockets without an identity (netstat shows none): the rise of their sum, never a fall. A member
      // closing while another one appears with more drops loses the difference; the total still never falls.
      rise += Math.max(0, anonymous - (prev?.anonymous ?? 0));
      const t = { total: (prev?.total ?? 0) + rise, absent: 0, anonymous };
      totals.set(k, t);
      this.udpDrops.inc(labels, t.total);
    }
    // An address:port with no socket now keeps its total for a while (not exported meanwhile).
    for (const [k, t] of this.udpDropTotals) if (!groups.has(k) && t.absent + 1 < UDP_DROPS_KEEP_COLLECTIONS) totals.set(k, { ...t, absent: t.absent + 1, anonymous: 0 });
    for (const [key, l] of this.udpLastDrops) if (!lastDrops.has(key) && l.absent + 1 < UDP_DROPS_KEEP_COLLECTIONS) lastDrops.set(key, { drops: l.drops, absent: l.absent + 1 });
    this.udpDropTotals = totals;
    this.udpLastDrops = lastDrops;
  }
}

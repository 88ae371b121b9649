// What a polling netlink collector keeps between polls, per kind of TCP dump, and how it rolls the
// per-port aggregation on from one poll to the next (see PollMemory).
import { forgetPortSummaries, type PortAggregator } from '../model/aggregate.js';
import type { Socket } from '../model/socket.js';
import { SocketReuse } from '../parse/inet-diag-reuse.js';

/**
 * What a polling collector keeps from one dump of a kind to the next: the dump's sockets (for
 * SocketReuse) and, when the caller aggregated, the per-port aggregation of the whole snapshot they
 * began (its other dumps' sockets are appended to the same array). The next poll rolls it forward: it
 * adds the sockets that were not in the previous dump with the same state, ports and queues, and
 * removes the previous snapshot's sockets not found so again (SocketReuse.inPrevious, droppedSockets;
 * a TIME_WAIT socket whose timer moved is a new object but counts the same), instead of aggregating
 * every socket again. At 100,000 sockets, aggregating every socket during the dump made the dump 18 ms
 * longer (103 against 85 ms, 12 dumps each, alternated); a steady poll now adds and removes a few
 * thousand. dumpSockets (netlink-dumps.ts) calls begin(), add(), dumpDone() and endPoll() in turn.
 */
export class PollMemory {
  readonly reuse = new SocketReuse();
  /** The aggregation of every TCP/UDP socket of the reuse's previous dump array, or null (start afresh). */
  private kept: PortAggregator | null = null;
  /** What the dump in progress feeds: the kept aggregation rolled on, or the caller's fresh one. */
  private current: PortAggregator | undefined;
  private rolling = false;

  /**
   * Starts a dump into `into`; false while another poll of this collector runs the same dump (that one
   * then neither reuses nor rolls). `fresh` is the caller's aggregator for the snapshot: the kept one
   * rolls on instead when there is one. Without it the dump moves the reuse on with no aggregation to
   * match, so nothing is kept for the next poll.
   */
  begin(into: Socket[], fresh: PortAggregator | undefined): boolean {
    if (!this.reuse.begin(into)) return false;
    this.rolling = fresh !== undefined && this.kept !== null;
    // The previous snapshot's summaries, if nobody asked for them yet, are made afresh if asked.
    if (this.rolling) forgetPortSummaries(this.reuse.previous);
    this.current = this.rolling ? this.kept! : fresh;
    // Kept again only by endPoll(): a dump that fails leaves nothing to roll.
    this.kept = null;
    return true;
  }

  /** The aggregator the dump in progress feeds (undefined when begin() had none). */
  get aggregator(): PortAggregator | undefined {
    return this.current;
  }

  /** Feeds sockets[from..] of the dump in progress: when rolling, only those not counted already. */
  add(sockets: readonly Socket[], from: number): void {
    const agg = this.current!;
    for (let i = from; i < sockets.length; i++) if (!this.rolling || !this.reuse.inPrevious(i)) agg.add(sockets[i]);
  }

  /** The dump is complete: a rolled aggregation lets go of the previous snapshot's sockets not found again. */
  dumpDone(): void {
    if (this.rolling) this.reuse.droppedSockets((s) => this.current!.remove(s));
    this.reuse.end();
  }

  /**
   * The poll is complete (its other dumps' sockets appended to the dump's array and fed): the
   * aggregation of the snapshot, kept to roll on next time unless the dump was interrupted (a socket may
   * be listed twice: a fresh aggregation counts it twice as summarizePorts would, a rolled one would
   * not, which is then no aggregation of this snapshot) or ports left empty outnumber the others.
   */
  endPoll(interrupted: boolean): PortAggregator | undefined {
    const agg = this.current;
    this.current = undefined;
    if (interrupted) {
      this.reuse.reset();
      return this.rolling ? undefined : agg;
    }
    if (agg && !agg.mostlyEmpty()) this.kept = agg;
    return agg;
  }

  /** A dump of the poll failed: forget everything (the next poll starts afresh). */
  fail(): void {
    this.kept = null;
    this.current = undefined;
    this.reuse.reset();
  }
}

/**
 * Kinds of dump a collector keeps a PollMemory for, most recently used first kept: the monitor's port
 * filter makes one kind per port the user looks at, and each holds its last dump's sockets.
 */
export const MAX_POLL_MEMORIES = 4;

/** The PollMemory of `key` in `memories` (made when missing), the least recently used dropped past MAX_POLL_MEMORIES. */
export function pollMemoryFor(memories: Map<string, PollMemory>, key: string): PollMemory {
  let memory = memories.get(key);
  if (memory) memories.delete(key);
  else memory = new PollMemory();
  memories.set(key, memory);
  for (const k of memories.keys()) {
    if (memories.size <= MAX_POLL_MEMORIES) break;
    memories.delete(k);
  }
  return memory;
}

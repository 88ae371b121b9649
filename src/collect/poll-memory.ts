// What a polling netlink collector keeps between polls, per kind of TCP dump (see PollMemory).
import type { PortAggregator } from '../model/aggregate.js';
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
 * thousand. dumpSockets (netlink.ts) does the rolling; this holds what it needs between polls.
 */
export class PollMemory {
  readonly reuse = new SocketReuse();
  /** The aggregation of every TCP/UDP socket of `sockets`, or null (cannot roll: start afresh). */
  aggregator: PortAggregator | null = null;
  /** The last snapshot's sockets (the array the aggregator saw). */
  sockets: Socket[] | null = null;

  forget(): void {
    this.aggregator = null;
    this.sockets = null;
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

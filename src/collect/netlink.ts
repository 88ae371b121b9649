// The netlink collector: reads TCP, UDP (IPv4 + IPv6) and unix sockets straight from the kernel with
// NETLINK_SOCK_DIAG dumps (what ss does, without ss's text formatting; the dumps are netlink-dumps.ts),
// with the host's counters and the sockets' owners.
import { PortAggregator, rememberPortSummaries } from '../model/aggregate.js';
import type { Socket } from '../model/socket.js';
import type { Snapshot } from '../model/snapshot.js';
import { assembleSnapshot, attributeOwners } from './assemble.js';
import { prefetchWith, prepareWith } from './attribution.js';
import { isListenerSocket } from '../model/listener-socket.js';
import { readHostInfo } from './host.js';
import { dumpSockets, type NetlinkDumpResult, type SocketOpener } from './netlink-dumps.js';
import type { PollMemory } from './poll-memory.js';
import { NetlinkError } from './netlink-socket.js';
import { CollectorError, type CollectOptions, type SocketSource } from './source.js';

/**
 * Wanted sockets a targeted collection waits for before it starts reading their likely owner
 * (ProcessAttributor.prefetch samples each process in proportion to its fds and the wanted sockets
 * seen: see likelyOwner). Low enough for the first receive batch: a detailed dump's chunks hold about
 * 70 sockets (the kernel caps a dump chunk at 32 KiB), 16 to a batch; at 2,000 the prefetch waited for
 * the second batch, 20-36 ms later at 100,000 sockets.
 */
const PREFETCH_MIN_INODES = 512;

/** Turns any failure into a CollectorError naming netlink (auto mode then falls back to ss). */
function asCollectorError(e: unknown): CollectorError {
  if (e instanceof CollectorError) return e;
  if (e instanceof NetlinkError) return new CollectorError('netlink', e.message, e);
  return new CollectorError('netlink', (e as Error)?.message ?? String(e), e);
}

/** Reads sockets through NETLINK_SOCK_DIAG (Linux only; needs koffi's native module). */
export class NetlinkSource implements SocketSource {
  readonly name = 'netlink' as const;
  /** The last dump of each kind and its snapshot's aggregation (PollMemory). */
  private readonly reuse = new Map<string, PollMemory>();
  /** `opts.prefetchMinInodes`: wanted sockets before a targeted collection starts reading their likely owner (tests lower it). */
  constructor(
    private readonly open?: SocketOpener,
    private readonly opts: { prefetchMinInodes?: number } = {},
  ) {}

  async collect(opts: CollectOptions = {}): Promise<Snapshot> {
    const t0 = performance.now();
    const time = Date.now();
    const scope = opts.processes ?? 'listeners';
    // Per-port summaries are built while the kernel dumps (see PortAggregator) and remembered for
    // summarizePorts(snapshot.sockets).
    const aggregator = new PortAggregator();
    // A one-shot command's targeted attribution starts on the first wanted sockets the dump yields, so
    // that reading their owner's fds overlaps the rest of the dump (ProcessAttributor.prefetch).
    const prefetch = opts.attribution === 'targeted' && scope !== 'none' ? prefetchWith() : null;
    // The targeted attribution after the dump waits for it (the attributor runs one pass at a time).
    let prefetchStarted = false;
    const inodes: number[] = [];
    const onChunk = prefetch
      ? (sockets: readonly Socket[], from: number) => {
          if (prefetchStarted) return;
          for (let i = from; i < sockets.length; i++) {
            const s = sockets[i];
            if (s.inode && (scope === 'all' || isListenerSocket(s))) inodes.push(s.inode);
          }
          // Enough wanted sockets for sampled fds to find their owner (fewer: the pass after the dump is cheap).
          if (inodes.length < (this.opts.prefetchMinInodes ?? PREFETCH_MIN_INODES)) return;
          prefetchStarted = true;
          void prefetch(inodes).catch(() => undefined);
        }
      : undefined;
    let dump: NetlinkDumpResult;
    let host: Awaited<ReturnType<typeof readHostInfo>>;
    try {
      // A poll after a poll reuses the objects of unchanged sockets; not when attribution writes to
      // every socket (scope all), which must not reach an older snapshot's objects.
      const reuse = scope === 'all' ? undefined : this.reuse;
      const dumping = dumpSockets({ ...opts, aggregator, onChunk, reuse }, this.open);
      // While the kernel starts the dump: the process list the prefetch will read, and the fd-reading thread when a process holds thousands of fds.
      if (prefetch) prepareWith()?.();
      [dump, host] = await Promise.all([dumping, readHostInfo()]);
    } catch (e) {
      throw asCollectorError(e);
    }
    const notes: string[] = [...dump.notes];
    if (dump.interrupted) notes.push('the socket tables changed during the netlink dump; a few sockets may be missing or doubled');
    const attribution = await attributeOwners(dump.sockets, scope, { reach: opts.attribution });
    if (dump.aggregator) rememberPortSummaries(dump.sockets, dump.aggregator);
    return assembleSnapshot({ time, startedAt: t0, host, source: 'netlink', sockets: dump.sockets, attribution, notes });
  }
}

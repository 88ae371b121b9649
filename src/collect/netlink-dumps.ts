// The dumps of the netlink collector: one SOCK_DIAG_BY_FAMILY dump per kind of socket (TCP over both
// families, UDP over IPv4 and IPv6, unix), in two lanes on two netlink sockets, parsed by
// src/parse/*-diag.ts as they arrive, with the per-port aggregation fed and, for a polling collector,
// rolled on (PollMemory). NetlinkSource (netlink.ts) adds host facts and attribution.
import type { PortAggregator } from '../model/aggregate.js';
import type { Protocol, Socket } from '../model/socket.js';
import { AF_INET, AF_INET6, AF_UNSPEC, ALL_STATES_MASK, BOUND_INACTIVE_BIT, IPPROTO_TCP, IPPROTO_UDP, buildInetDiagRequest, parseInetDiagBuffer, type InetDiagContext } from '../parse/inet-diag.js';
import { buildUnixDiagRequest, parseUnixDiagBuffer, type UnixDiagSocket } from '../parse/unix-diag.js';
import { interfaceName } from './interface-names.js';
import { runDump, type DumpStats } from './netlink-dump.js';
import { pollMemoryFor, type PollMemory } from './poll-memory.js';
import { NetlinkError, NetlinkSocket } from './netlink-socket.js';
import { overlayDetails, scopeOfDetails } from './scoped-details.js';
import { ALL_PROTOCOLS, DEFAULT_TIMEOUT_MS, type DetailsScope } from './source.js';

/**
 * ifindex -> interface name, asked (interfaceName: this network namespace's, not sysfs's) only for the
 * indexes some socket named.
 */
class InterfaceNames implements ReadonlyMap<number, string> {
  private map = new Map<number, string>();
  private loaded: Promise<void> | null = null;
  private pending = new Set<number>();

  get size(): number {
    return this.map.size;
  }
  get(index: number): string | undefined {
    const n = this.map.get(index);
    if (n === undefined) this.pending.add(index);
    return n;
  }
  has(index: number): boolean {
    return this.map.has(index);
  }
  /** Looks the names up (once per collect, and only if some socket asked). */
  async load(): Promise<boolean> {
    if (this.pending.size === 0) return false;
    this.loaded ??= (async () => {
      for (const index of this.pending) {
        const name = interfaceName(index);
        if (name !== undefined) this.map.set(index, name);
      }
    })();
    await this.loaded;
    return true;
  }
  forEach(cb: (value: string, key: number, map: ReadonlyMap<number, string>) => void): void {
    this.map.forEach((v, k) => cb(v, k, this));
  }
  entries() {
    return this.map.entries();
  }
  keys() {
    return this.map.keys();
  }
  values() {
    return this.map.values();
  }
  [Symbol.iterator]() {
    return this.map[Symbol.iterator]();
  }
}

interface InetJob {
  protocol: Exclude<Protocol, 'unix'>;
  /** AF_UNSPEC: TCP over both families in one walk (TCPDIAG_GETSOCK). */
  family: typeof AF_INET | typeof AF_INET6 | typeof AF_UNSPEC;
}

/** Errnos of a kernel that does not serve the first interface's TCP dump: fall back to one dump per family. */
const NO_COMPAT_DUMP = new Set([2, 22, 95]); // ENOENT, EINVAL, EOPNOTSUPP

function jobName(job: InetJob, scope?: DetailsScope): string {
  const name = `sock_diag ${job.protocol}${job.family === AF_INET6 ? '6' : job.family === AF_INET ? '4' : ''}`;
  return scope ? `${name} details (port ${scope.port} at either end)` : name;
}

/** Options for the dump itself (what the kernel is asked for), without host info or attribution. */
export interface NetlinkDumpOptions {
  protocols?: readonly Protocol[];
  details?: boolean;
  /** With `details`: only these TCP sockets get tcp_info, from a port-filtered dump of their own (CollectOptions.detailsFor). */
  detailsFor?: DetailsScope;
  /** UDP sockets' skmeminfo without `details` (CollectOptions.udpMemory), in the UDP dumps themselves. */
  udpMemory?: boolean;
  port?: number;
  peerPort?: number;
  /** With `peerPort`: also every listener (CollectOptions.withListeners), in the same dumps. */
  withListeners?: boolean;
  timeoutMs?: number;
  /**
   * Two lanes on two netlink sockets (default true): the first dump (TCP, the big one) on one, the rest
   * (UDP over IPv4 and IPv6, unix) in turn on the other. The kernel fills dump chunks inside each
   * receive, so the lanes' kernel work runs on two koffi worker threads at once; each UDP dump walks the
   * whole UDP hash even when it returns nothing. Measured at 100,000 sockets on 2 cores with the
   * per-family TCP dumps: 127 ms in turn, 108 ms in two lanes. Two lanes, not one per dump: every
   * blocked receive holds a libuv thread-pool thread (4 by default) that file reads also need.
   */
  parallel?: boolean;
  /**
   * TCP over IPv4 and IPv6 in one dump (default true): the first interface's TCPDIAG_GETSOCK walks the
   * TCP hash once for both families, where SOCK_DIAG_BY_FAMILY walks it once per family (measured at
   * 110,000 TCP sockets, in C: 81-87 ms against 108-111 ms). A kernel that refuses it gets the two
   * per-family dumps. false: always the per-family dumps (tests compare the two).
   */
  tcpBothFamilies?: boolean;
  /**
   * Fed every TCP/UDP socket as its chunk is parsed, so that per-port aggregation runs while the
   * kernel fills the next chunk: the first dump's as they arrive, the other lane's after it, in
   * dump order (so summaries list listeners in the same order as a fresh aggregation).
   */
  aggregator?: PortAggregator;
  /** Also TCP sockets bound (to `port`, or to any port without one) without listen() (CollectOptions.boundOnly). */
  boundOnly?: boolean;
  /** Called with each chunk's TCP/UDP sockets of the first dump as it is parsed (`sockets` from `from` on). */
  onChunk?: (sockets: readonly Socket[], from: number) => void;
  /**
   * What a collector that polls keeps between dumps, one PollMemory per kind of TCP dump: unchanged
   * sockets are the previous dump's objects (SocketReuse), and `aggregator` rolls forward from the
   * previous snapshot's aggregation. Ignored with `details`.
   */
  reuse?: Map<string, PollMemory>;
}

/** Opens a netlink socket (injected by tests to simulate failures). */
export type SocketOpener = (timeoutMs: number) => Promise<NetlinkSocket>;

export interface NetlinkDumpResult {
  sockets: Socket[];
  /**
   * The aggregation of every TCP/UDP socket of `sockets`: `opts.aggregator`, or the previous poll's
   * rolled forward (PollMemory). Undefined without `opts.aggregator`, or when a rolled aggregation
   * cannot be trusted (an interrupted dump may list a socket twice).
   */
  aggregator?: PortAggregator;
  stats: (DumpStats & { what: string; sockets: number })[];
  interrupted: boolean;
  /** What the user should know (a family the kernel cannot dump). */
  notes: string[];
}

/**
 * Dumps the requested sockets from the kernel. Port filters run in the kernel (bytecode), and unix
 * sockets are skipped when a port is asked for (they have none).
 */
export async function dumpSockets(opts: NetlinkDumpOptions = {}, open: SocketOpener = (ms) => NetlinkSocket.open(ms)): Promise<NetlinkDumpResult> {
  const protocols = opts.protocols ?? ALL_PROTOCOLS;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const filtered = opts.port !== undefined || opts.peerPort !== undefined;
  const interfaces = new InterfaceNames();
  const jobs: InetJob[] = [];
  for (const p of ['tcp', 'udp'] as const) {
    if (!protocols.includes(p)) continue;
    if (p === 'tcp' && opts.tcpBothFamilies !== false) jobs.push({ protocol: p, family: AF_UNSPEC });
    else jobs.push({ protocol: p, family: AF_INET }, { protocol: p, family: AF_INET6 });
  }
  const wantUnix = protocols.includes('unix') && !filtered;
  // CollectOptions.detailsFor: the TCP dump without tcp_info, the scope's sockets again with it (a filtered walk).
  const scoped = scopeOfDetails(opts, filtered);
  type DumpResult = { sockets: Socket[]; stats: DumpStats; what: string };
  const results: DumpResult[] = [];
  /** The first dump's PollMemory when it fed the aggregation (opts.aggregator, or the previous poll's rolled on). */
  let first: PollMemory | undefined;

  const notes: string[] = [];
  const runInet = async (sock: NetlinkSocket, job: InetJob, seq: number, scope?: DetailsScope): Promise<DumpResult> => {
    if (job.family === AF_UNSPEC) {
      // Both families in one walk; a kernel that refuses the request (before any socket) gets one dump per family.
      const fed = { count: 0 };
      try {
        return await runInetDump(sock, job, seq, jobName(job, scope), fed, scope);
      } catch (e) {
        if (!(e instanceof NetlinkError && NO_COMPAT_DUMP.has(e.errno) && fed.count === 0)) throw e;
        if (!scope) notes.push(`netlink: the kernel refused the TCP dump of both families (errno ${e.errno}); one dump per family instead`);
        const v4 = await runInet(sock, { protocol: 'tcp', family: AF_INET }, seq, scope);
        const v6 = await runInet(sock, { protocol: 'tcp', family: AF_INET6 }, seq, scope);
        for (const s of v6.sockets) v4.sockets.push(s);
        const st = v4.stats;
        return {
          sockets: v4.sockets,
          stats: { bytes: st.bytes + v6.stats.bytes, chunks: st.chunks + v6.stats.chunks, interrupted: st.interrupted || v6.stats.interrupted, ms: st.ms + v6.stats.ms, maxParseMs: Math.max(st.maxParseMs, v6.stats.maxParseMs) },
          what: `sock_diag tcp4+tcp6${scope ? v4.what.slice(v4.what.indexOf(' ', 10)) : ''}`,
        };
      }
    }
    const what = jobName(job, scope);
    try {
      return await runInetDump(sock, job, seq, what, undefined, scope);
    } catch (e) {
      // A kernel without IPv6 or without udp_diag answers ENOENT for that family/protocol only:
      // there are no such sockets to show, which is not a reason to give up on the rest.
      if (e instanceof NetlinkError && e.errno === 2 && (job.family === AF_INET6 || job.protocol === 'udp')) {
        if (!scope) notes.push(`netlink: the kernel has no ${what.slice(10)} socket diagnostics (ENOENT); none shown`);
        return { sockets: [] as Socket[], stats: { bytes: 0, chunks: 0, interrupted: false, ms: 0, maxParseMs: 0 }, what };
      }
      throw e;
    }
  };
  /** One dump; `scope`: the details dump of CollectOptions.detailsFor (its own filter, fed to nothing). */
  const runInetDump = async (sock: NetlinkSocket, job: InetJob, seq: number, what: string, fed = { count: 0 }, scope?: DetailsScope): Promise<DumpResult> => {
    const req = buildInetDiagRequest({
      family: job.family,
      protocol: job.protocol === 'tcp' ? IPPROTO_TCP : IPPROTO_UDP,
      // CollectOptions.boundOnly: also the TCP sockets merely bound (to the port, or, without one, to any: the
      // ephemeral range's holders); they hold their ports (EADDRINUSE).
      states: job.protocol === 'tcp' && opts.boundOnly ? ALL_STATES_MASK | BOUND_INACTIVE_BIT : undefined,
      details: scope !== undefined || (opts.details === true && !(scoped && job.protocol === 'tcp')),
      memory: job.protocol === 'udp' && opts.udpMemory === true,
      // The scope: P at either end (the kernel's filter ORs the two).
      ...(scope ? { port: scope.port, peerPort: scope.port } : { port: opts.port, peerPort: opts.peerPort, listeners: opts.withListeners === true && opts.peerPort !== undefined }),
      seq,
    });
    const sockets: Socket[] = [];
    // Only the first dump feeds the aggregator as it goes (see `aggregator`); for the TCP dump of both
    // families a polling collector's PollMemory rolls the previous poll's aggregation on instead.
    const agg = seq === 1 && !scope ? opts.aggregator : undefined;
    let memory: PollMemory | undefined;
    // Not with details (scoped or not): tcp_info changes on every poll, and a scope's details are written into the dump's objects.
    if (opts.reuse && job.protocol === 'tcp' && !opts.details) {
      const key = `${what} ${opts.port ?? ''} ${opts.peerPort ?? ''} ${opts.boundOnly ? 'bound' : ''} ${opts.withListeners ? 'listeners' : ''}`;
      memory = pollMemoryFor(opts.reuse, key);
      if (!memory.begin(sockets, job.family === AF_UNSPEC ? agg : undefined)) memory = undefined;
      else if (memory.aggregator) first = memory;
    }
    const ctx: InetDiagContext = { protocol: job.protocol, interfaces, reuse: memory?.reuse };
    const onChunk = seq === 1 && !scope ? opts.onChunk : undefined;
    let stats: DumpStats;
    try {
      stats = await runDump(sock, req, what, (buf, len) => {
        const from = sockets.length;
        const r = parseInetDiagBuffer(buf, len, ctx, sockets);
        fed.count = sockets.length;
        if (memory?.aggregator) memory.add(sockets, from);
        else if (agg) for (let i = from; i < sockets.length; i++) agg.add(sockets[i]);
        if (onChunk && sockets.length > from) onChunk(sockets, from);
        return r;
      });
      memory?.dumpDone();
    } catch (e) {
      memory?.fail();
      throw e;
    }
    return { sockets, stats: memory ? { ...stats, reused: memory.reuse.hits } : stats, what };
  };
  const runUnix = async (sock: NetlinkSocket, seq: number): Promise<DumpResult> => {
    const sockets: UnixDiagSocket[] = [];
    let stats: DumpStats;
    try {
      stats = await runDump(sock, buildUnixDiagRequest({ details: opts.details, seq }), 'sock_diag unix', (buf, len) => parseUnixDiagBuffer(buf, len, sockets));
    } catch (e) {
      if (!(e instanceof NetlinkError && e.errno === 2)) throw e;
      notes.push('netlink: the kernel has no unix socket diagnostics (unix_diag, ENOENT); no unix sockets shown');
      return { sockets: [] as Socket[], stats: { bytes: 0, chunks: 0, interrupted: false, ms: 0, maxParseMs: 0 }, what: 'sock_diag unix' };
    }
    // Peers stay unnamed ('' + peerInode), as ss and /proc/net/unix show them.
    return { sockets: sockets as Socket[], stats, what: 'sock_diag unix' };
  };

  const tasks: ((sock: NetlinkSocket, seq: number) => Promise<DumpResult>)[] = jobs.map(
    (job) => (sock: NetlinkSocket, seq: number) => runInet(sock, job, seq),
  );
  if (wantUnix) tasks.push(runUnix);
  // Last in the second lane: its filtered walk runs while the first lane's big dump is still arriving.
  if (scoped) tasks.push((sock: NetlinkSocket, seq: number) => runInet(sock, { protocol: 'tcp', family: AF_UNSPEC }, seq, scoped));

  const run = async (): Promise<NetlinkDumpResult> => {
    if (tasks.length === 0) {
      // Nothing to dump: only unix sockets were asked for, with a port filter (unix sockets have no port).
    } else if (opts.parallel === false || tasks.length === 1) {
      const sock = await open(timeoutMs);
      try {
        let seq = 1;
        for (const t of tasks) results.push(await t(sock, seq++));
      } finally {
        sock.close();
      }
    } else {
      // Lane A: the first dump; lane B: the others in turn. One socket per lane (a netlink socket runs
      // one dump at a time); both opened before either starts.
      const socks: NetlinkSocket[] = [];
      try {
        socks.push(await open(timeoutMs));
        socks.push(await open(timeoutMs));
        const laneB = async () => {
          const out: DumpResult[] = [];
          for (let k = 1; k < tasks.length; k++) out.push(await tasks[k](socks[1], k + 1));
          return out;
        };
        const [a, b] = await Promise.allSettled([tasks[0](socks[0], 1), laneB()]);
        if (a.status === 'rejected') throw a.reason;
        if (b.status === 'rejected') throw b.reason;
        results.push(a.value, ...b.value);
      } finally {
        for (const s of socks) s.close();
      }
    }
    // The scope's details go into the TCP dump's sockets (by cookie); its own sockets are not listed twice.
    const detailed = scoped ? results.pop() : undefined;
    if (detailed && scoped) overlayDetails(results[0]?.sockets ?? [], detailed.sockets, scoped);
    // The other dumps' sockets, after the first's (which fed the aggregation as it was parsed).
    const agg = first?.aggregator ?? opts.aggregator;
    if (agg) for (const r of results.slice(1)) for (const s of r.sockets) agg.add(s);

    if (await interfaces.load()) {
      // Some sockets named an interface before the names were known: fill them in now.
      for (const r of results) {
        for (const s of r.sockets) {
          if (s.boundDevice && /^\d+$/.test(s.boundDevice)) {
            const name = interfaces.get(Number(s.boundDevice));
            if (name) {
              if (s.local.scope === s.boundDevice) s.local.scope = name;
              if (s.peer.scope === s.boundDevice) s.peer.scope = name;
              s.boundDevice = name;
            }
          }
        }
      }
    }

    const stats = [...results, ...(detailed ? [detailed] : [])].map((r) => ({ ...r.stats, what: r.what, sockets: r.sockets.length }));
    // The first dump's array (the big one) takes the others' sockets: no second 100,000-entry array.
    // SocketReuse keeps that array as its previous dump but reads only its own length of it.
    const sockets = results[0]?.sockets ?? [];
    for (let k = 1; k < results.length; k++) {
      const more = results[k].sockets;
      for (let i = 0; i < more.length; i++) sockets.push(more[i]);
    }
    const interrupted = results.some((r) => r.stats.interrupted);
    const aggregator = first ? first.endPoll(interrupted) : opts.aggregator;
    return { sockets, aggregator, stats, interrupted, notes };
  };
  try {
    return await run();
  } catch (e) {
    // A dump failed after the first one rolled the aggregation forward: it no longer matches anything.
    first?.fail();
    throw e;
  }
}

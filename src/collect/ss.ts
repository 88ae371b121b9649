// The ss (iproute2) collector: runs ss with an argument array and parses its output with
// src/parse/ss.ts while ss is still writing it.
import { availableParallelism } from 'node:os';
import type { Protocol, Socket } from '../model/socket.js';
import type { Snapshot } from '../model/snapshot.js';
import { SsStreamParser } from '../parse/ss.js';
import { runStreaming, type StreamRunner } from './exec.js';
import { readHostInfo } from './host.js';
import { attributeWith } from './attribution.js';
import { assembleSnapshot } from './assemble.js';
import { ALL_PROTOCOLS, CollectorError, DEFAULT_TIMEOUT_MS, type CollectOptions, type SocketSource } from './source.js';

const PROTO_FLAGS: Record<Protocol, string> = { tcp: 't', udp: 'u', unix: 'x' };

/** The ss arguments for a request (exported for tests and the remote collector). */
export function ssArgs(opts: CollectOptions, withProcesses: boolean): string[] {
  const protos = opts.protocols ?? ALL_PROTOCOLS;
  const flags = `-${protos.map((p) => PROTO_FLAGS[p]).join('')}anOHe${withProcesses ? 'p' : ''}`;
  const args = [flags];
  if (opts.details) args.push('-i', '-m', '-o');
  else args.push('-o');
  // A filter keeps ss's own work small when one port is asked for.
  const filter: string[] = [];
  if (opts.port !== undefined) filter.push('sport', '=', `:${opts.port}`);
  if (opts.peerPort !== undefined) {
    if (filter.length) filter.push('or');
    filter.push('dport', '=', `:${opts.peerPort}`);
  }
  if (filter.length && !protos.includes('unix')) args.push(...filter);
  return args;
}

/** ss omits the Netid column when one socket type is asked for: the netid to assume then. */
export function impliedNetid(opts: CollectOptions): 'tcp' | 'udp' | undefined {
  const protos = opts.protocols ?? ALL_PROTOCOLS;
  return protos.length === 1 && protos[0] !== 'unix' ? (protos[0] as 'tcp' | 'udp') : undefined;
}

/**
 * Above this many TCP sockets in the previous snapshot, TCP is read by two ss processes in parallel,
 * one per half of the port range (see SsSource). Below it one ss takes under ~40 ms and two more
 * process starts and kernel walks are not worth it.
 */
export const SPLIT_MIN_TCP = 20_000;

/** A port filter that splits TCP sockets into two halves: `key < :port` and `key >= :port`. */
export interface SsSplit {
  key: 'sport' | 'dport';
  port: number;
}

/** One ss process of a collection: its arguments and the netid it implies. */
export interface SsRun {
  args: string[];
  netid?: 'tcp' | 'udp';
}

/**
 * The ss processes for a request: one, or (with `split`, for an unfiltered request that includes
 * TCP and does not use ss -p) UDP/unix in one and TCP in two halves of the port range. Each socket
 * has one local and one peer port for its whole life, so the halves never overlap or miss one.
 */
export function ssRuns(opts: CollectOptions, withProcesses: boolean, split?: SsSplit): SsRun[] {
  const protos = opts.protocols ?? ALL_PROTOCOLS;
  // ss -p walks every process's fds: once per process, so never split with it.
  if (!split || withProcesses || opts.port !== undefined || opts.peerPort !== undefined || !protos.includes('tcp')) {
    return [{ args: ssArgs(opts, withProcesses), netid: impliedNetid(opts) }];
  }
  const runs: SsRun[] = [];
  const rest = protos.filter((p) => p !== 'tcp');
  // ss prints unix, then udp, then tcp: the same order here.
  if (rest.length) runs.push({ args: ssArgs({ ...opts, protocols: rest }, false), netid: impliedNetid({ protocols: rest }) });
  const tcp = ssArgs({ ...opts, protocols: ['tcp'] }, false);
  runs.push({ args: [...tcp, split.key, '<', `:${split.port}`], netid: 'tcp' });
  runs.push({ args: [...tcp, split.key, '>=', `:${split.port}`], netid: 'tcp' });
  return runs;
}

/** The port that best halves `counts` (sockets per port) into `< port` and `>= port`, and the larger half's share. */
function halve(counts: Uint32Array, total: number): { port: number; share: number } {
  let below = 0;
  for (let port = 0; port < counts.length; port++) {
    const withIt = below + counts[port];
    if (withIt * 2 >= total) {
      // Split before or after this port, whichever is more even.
      const before = Math.max(below, total - below);
      const after = Math.max(withIt, total - withIt);
      return before <= after ? { port, share: before / total } : { port: port + 1, share: after / total };
    }
    below = withIt;
  }
  return { port: counts.length, share: 1 };
}

/**
 * Where to split the next collection's TCP sockets, from this one's: by local port, or by peer port
 * when one local port holds most of them (a server's :443); none below `minTcp` TCP sockets or when
 * neither split leaves each half with at least a quarter.
 */
export function chooseSplit(sockets: readonly Socket[], minTcp = SPLIT_MIN_TCP): SsSplit | undefined {
  // A sample of every step-th socket is plenty to find a median (at least 8,192 sockets looked at).
  const step = Math.max(1, Math.floor(sockets.length / 8192));
  const sport = new Uint32Array(65536);
  const dport = new Uint32Array(65536);
  let sampled = 0;
  for (let i = 0; i < sockets.length; i += step) {
    const s = sockets[i];
    if (s.protocol !== 'tcp') continue;
    sport[s.local.port]++;
    dport[s.peer.port]++;
    sampled++;
  }
  if (sampled === 0 || sampled * step < minTcp) return undefined;
  const bySport = halve(sport, sampled);
  const byDport = halve(dport, sampled);
  const best: SsSplit & { share: number } = bySport.share <= byDport.share ? { key: 'sport', ...bySport } : { key: 'dport', ...byDport };
  if (best.share > 0.75 || best.port < 1 || best.port > 65535) return undefined;
  return { key: best.key, port: best.port };
}

/**
 * Reads sockets through `ss`. On a host with many TCP sockets (SPLIT_MIN_TCP in the previous
 * snapshot) TCP is read by two ss processes in parallel, one per half of the port range, with
 * UDP/unix in a third: ss spends most of its time formatting text, on one core, so on a 2-core host
 * this takes the wall time of a 100,000-socket snapshot from ~1.5x to ~1.2x of `ss -tanH`, for
 * about 10 % more CPU (two kernel walks of the TCP tables, three process starts). The records are
 * the same; the order within TCP differs (ss's hash order per half).
 */
export class SsSource implements SocketSource {
  readonly name = 'ss' as const;
  /** How to split TCP next time (from the last unfiltered TCP snapshot), or undefined: one ss. */
  private split: SsSplit | undefined;
  /** Set when a split run failed (an ss without filter support): one ss from then on. */
  private splitFailed = false;
  /** The number of ss processes the last collection ran (the bench reports it). */
  lastProcesses = 0;

  private readonly splitMinTcp: number;
  private readonly pinned: boolean;

  /**
   * `opts.splitMinTcp`: TCP sockets from which to split (default SPLIT_MIN_TCP; Infinity: never).
   * `opts.split`: always split there (tests). One core: never split.
   */
  constructor(
    private readonly ssPath = 'ss',
    private readonly runner: StreamRunner = runStreaming,
    opts: { splitMinTcp?: number; split?: SsSplit } = {},
  ) {
    this.splitMinTcp = availableParallelism() < 2 ? Number.POSITIVE_INFINITY : (opts.splitMinTcp ?? SPLIT_MIN_TCP);
    this.split = opts.split;
    this.pinned = opts.split !== undefined;
  }

  async collect(opts: CollectOptions = {}): Promise<Snapshot> {
    const t0 = performance.now();
    const time = Date.now();
    const scope = opts.processes ?? 'listeners';
    // ss -p walks every /proc/PID/fd on each call; the shared attributor caches instead, so ss -p is
    // only the fallback when the attributor is unavailable.
    const attribute = await attributeWith();
    const useSsProcesses = scope !== 'none' && !attribute;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const [read, host] = await Promise.all([this.read(opts, useSsProcesses, timeoutMs), readHostInfo()]);
    let sockets = read;
    const filtered = opts.port !== undefined || opts.peerPort !== undefined;
    if (!filtered && !this.pinned && !this.splitFailed && (opts.protocols ?? ALL_PROTOCOLS).includes('tcp')) this.split = chooseSplit(sockets, this.splitMinTcp);
    if (filtered) {
      sockets = sockets.filter(
        (s) => s.protocol === 'unix' || (opts.port !== undefined && s.local.port === opts.port) || (opts.peerPort !== undefined && s.peer.port === opts.peerPort),
      );
    }
    let attribution: Snapshot['attribution'] = { scope, complete: true, hiddenProcesses: 0 };
    if (scope !== 'none') {
      if (attribute) attribution = await attribute(sockets, scope);
      else if (typeof process.getuid === 'function' && process.getuid() !== 0) {
        attribution = { scope: 'all', complete: false, hiddenProcesses: 0, note: "ss -p shows only this user's processes without root" };
      } else attribution = { scope: 'all', complete: true, hiddenProcesses: 0 };
    }
    return assembleSnapshot({ time, startedAt: t0, host, source: 'ss', sockets, attribution, notes: [] });
  }

  /** Runs ss (one process, or the split ones in parallel) and returns the sockets in ss's order. */
  private async read(opts: CollectOptions, withProcesses: boolean, timeoutMs: number): Promise<Socket[]> {
    const runs = ssRuns(opts, withProcesses, this.splitFailed ? undefined : this.split);
    this.lastProcesses = runs.length;
    try {
      if (runs.length === 1) return await this.readOne(runs[0], timeoutMs);
      // The two large TCP halves start first (each start is a fork of this process: ~3-5 ms).
      const parts = new Array<Promise<Socket[]>>(runs.length);
      for (let i = runs.length - 1; i >= 0; i--) parts[i] = this.readOne(runs[i], timeoutMs);
      const done = await Promise.all(parts);
      const out: Socket[] = [];
      for (const part of done) for (let i = 0; i < part.length; i++) out.push(part[i]);
      return out;
    } catch (e) {
      // A split run that ss refuses (exit status, e.g. no filter support): one ss, as before the split.
      if (runs.length === 1 || !(e instanceof SsExitError)) throw e;
      this.splitFailed = true;
      this.split = undefined;
      return this.read(opts, withProcesses, timeoutMs);
    }
  }

  /**
   * One ss process, parsed chunk by chunk as it writes (on the other core while ss formats the
   * rest): the whole text is never held, and little is left to parse when ss exits.
   */
  private async readOne(run: SsRun, timeoutMs: number): Promise<Socket[]> {
    const parser = new SsStreamParser(run.netid);
    const res = await this.runner(this.ssPath, run.args, { timeoutMs, onStdout: (chunk) => parser.push(chunk) });
    if (res.exitCode !== 0) throw new SsExitError(`exited with ${res.exitCode}: ${res.stderr.trim().split('\n')[0] ?? ''}`);
    return parser.end();
  }
}

/** ss ran and exited non-zero. */
class SsExitError extends CollectorError {
  constructor(message: string) {
    super('ss', message);
  }
}

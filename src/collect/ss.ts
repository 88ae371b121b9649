// The ss (iproute2) collector: runs ss with an argument array and parses its output with
// src/parse/ss.ts while ss is still writing it.
import { availableParallelism } from 'node:os';
import type { Protocol, Socket } from '../model/socket.js';
import type { Snapshot } from '../model/snapshot.js';
import { SsStreamParser } from '../parse/ss.js';
import { decodeUtf8Lines } from '../model/escape.js';
import { parseSsUnixRecords } from '../parse/ss-records.js';
import { runStreaming, stdioInodesInUse, type StreamRunner } from './exec.js';
import { readHostInfo } from './host.js';
import { attributeWith } from './attribution.js';
import { assembleSnapshot } from './assemble.js';
import { dropStdioSockets } from './stdio-sockets.js';
import { ALL_PROTOCOLS, CollectorError, DEFAULT_TIMEOUT_MS, portFilterOf, type CollectOptions, type SocketSource } from './source.js';

const PROTO_FLAGS: Record<Protocol, string> = { tcp: 't', udp: 'u', unix: 'x' };

/** The ss arguments for a request (exported for tests and the remote collector). */
export function ssArgs(opts: CollectOptions, withProcesses: boolean): string[] {
  const protos = opts.protocols ?? ALL_PROTOCOLS;
  const flags = `-${protos.map((p) => PROTO_FLAGS[p]).join('')}anOHe${withProcesses ? 'p' : ''}`;
  const args = [flags];
  if (opts.details) args.push('-i', '-m', '-o');
  // CollectOptions.udpMemory: -m costs little on a run of UDP sockets alone (a TCP run would read every connection's).
  else if (opts.udpMemory && protos.every((p) => p === 'udp')) args.push('-m', '-o');
  else args.push('-o');
  // A filter keeps ss's own work small when one port is asked for.
  const filter: string[] = [];
  if (opts.port !== undefined) filter.push('sport', '=', `:${opts.port}`);
  if (opts.peerPort !== undefined) {
    if (filter.length) filter.push('or');
    filter.push('dport', '=', `:${opts.peerPort}`);
    // CollectOptions.withListeners: the listeners too (no peer: dport 0), in the same walk.
    if (opts.withListeners) filter.push('or', 'dport', '=', ':0');
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
 * From this many TCP sockets in the previous snapshot a host is "large": cheap requests leave out
 * -e for non-listening TCP sockets and TCP is split over two ss processes (see SsSource). Below it
 * one ss takes under ~40 ms and more process starts are not worth it.
 */
export const LARGE_TCP = 20_000;

/** A port filter that splits TCP sockets into two halves: `key < :port` and `key >= :port`. */
export interface SsSplit {
  key: 'sport' | 'dport';
  port: number;
}

/** How to read a large host: TCP without -e except listeners (`lean`), TCP over two ss (`split`). */
export interface SsPlan {
  lean?: boolean;
  split?: SsSplit;
}

/**
 * One ss process of a collection: its arguments and the netid it implies, or for unix sockets which
 * half of them it lists (`unixNames`, see ssUnixRuns).
 */
export interface SsRun {
  args: string[];
  netid?: 'tcp' | 'udp';
  unixNames?: 'plain' | 'newline';
}

/**
 * The fnmatch pattern (ss's unix `src` filter) of a name with a newline in it. ss prints unix names
 * byte for byte, so a name is any text, lines included: a socket bound at
 * "/tmp/u\ntcp LISTEN 0 4096 0.0.0.0:6666 0.0.0.0:*" read as a TCP listener on 6666 (with the
 * sockets' owner) when unix and TCP sockets came from one ss. They never do now: TCP and UDP come
 * from runs that list no unix socket, and unix sockets from two runs of their own, split by this
 * pattern. In the `! src` half no name holds a newline, so each line is one socket; in the `src` half
 * only a line that begins with a unix netid begins a record (parseSsUnixRecords), and what it gives is
 * unix sockets only. Checked with iproute2 6.1: `ss -xa src "$(printf '*\n*')"` lists exactly the
 * sockets whose name holds a newline (and no unnamed one).
 */
export const NEWLINE_NAME = '*\n*';

/** The two unix runs of a request (its port filters do not apply to unix sockets). */
export function ssUnixRuns(opts: CollectOptions, withProcesses: boolean): SsRun[] {
  const args = ssArgs({ ...opts, protocols: ['unix'], port: undefined, peerPort: undefined }, withProcesses);
  return [
    { args: [...args, '!', 'src', NEWLINE_NAME], unixNames: 'plain' },
    { args: [...args, 'src', NEWLINE_NAME], unixNames: 'newline' },
  ];
}

/**
 * The ss processes for a request. Unix sockets always come from their own two runs (ssUnixRuns), so
 * that no unix name shares an output with a TCP or UDP socket. TCP and UDP: one run (`ssArgs`), or for
 * an unfiltered request that includes TCP and does not use ss -p, UDP in one and TCP in others:
 * - `plan.lean` (only when the request wants neither details nor every socket's owner): TCP
 *   listeners with -e (`-tlnOHe`: uid, inode and cookie, which listener attribution needs) and the
 *   other TCP sockets without -e (`exclude listening`);
 * - `plan.split`: the (other) TCP sockets in two halves of the port range. A socket keeps its local
 *   and peer port for life, so the halves never overlap or miss one.
 * ss -p walks every process's fds once per process: with it (only when the shared attributor is not
 * available) the unix runs add two such walks. Output order as ss's own: unix, udp, then tcp.
 */
export function ssRuns(opts: CollectOptions, withProcesses: boolean, plan: SsPlan = {}): SsRun[] {
  const all = opts.protocols ?? ALL_PROTOCOLS;
  const runs: SsRun[] = all.includes('unix') ? ssUnixRuns(opts, withProcesses) : [];
  const protos = all.filter((p) => p !== 'unix');
  if (protos.length === 0) return runs;
  const inet: CollectOptions = { ...opts, protocols: protos };
  // ss -p walks every process's fds: once per process, so never more than one TCP/UDP run with it.
  const open = !withProcesses && opts.port === undefined && opts.peerPort === undefined && protos.includes('tcp');
  const lean = open && !!plan.lean && !opts.details && opts.processes !== 'all';
  const split = open ? plan.split : undefined;
  // CollectOptions.udpMemory: UDP in a run of its own with -m (a run that holds TCP too would read every connection's
  // memory); not with ss -p, which walks every process once per run.
  const udpApart = !withProcesses && opts.udpMemory === true && !opts.details && protos.includes('udp') && protos.includes('tcp');
  if (!lean && !split && !udpApart) return [...runs, { args: ssArgs(inet, withProcesses), netid: impliedNetid(inet) }];
  if (!lean && !split) {
    runs.push({ args: ssArgs({ ...opts, protocols: ['udp'] }, false), netid: 'udp' });
    const others = protos.filter((p) => p !== 'udp');
    return [...runs, { args: ssArgs({ ...opts, protocols: others }, false), netid: impliedNetid({ protocols: others }) }];
  }
  const rest = protos.filter((p) => p !== 'tcp');
  if (rest.length) runs.push({ args: ssArgs({ ...opts, protocols: rest }, false), netid: impliedNetid({ protocols: rest }) });
  let tcp = ssArgs({ ...opts, protocols: ['tcp'] }, false);
  if (lean) {
    runs.push({ args: ['-tlnOHe', '-o'], netid: 'tcp' });
    tcp = ['-tanOH', '-o', 'exclude', 'listening'];
  }
  if (split) {
    runs.push({ args: [...tcp, split.key, '<', `:${split.port}`], netid: 'tcp' });
    runs.push({ args: [...tcp, split.key, '>=', `:${split.port}`], netid: 'tcp' });
  } else runs.push({ args: tcp, netid: 'tcp' });
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
 * How to read the next collection, from this one's sockets: nothing special below `minTcp` TCP
 * sockets; else lean, and (when `split`) split by local port, or by peer port when one local port
 * holds most sockets (a server's :443), unless neither leaves each half with a quarter.
 */
export function planFor(sockets: readonly Socket[], minTcp = LARGE_TCP, split = true): SsPlan {
  // A sample of every step-th socket is plenty to count and to find a median (8,192 or more looked at).
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
  if (sampled === 0 || sampled * step < minTcp) return {};
  if (!split) return { lean: true };
  const bySport = halve(sport, sampled);
  const byDport = halve(dport, sampled);
  const best: SsSplit & { share: number } = bySport.share <= byDport.share ? { key: 'sport', ...bySport } : { key: 'dport', ...byDport };
  if (best.share > 0.75 || best.port < 1 || best.port > 65535) return { lean: true };
  return { lean: true, split: { key: best.key, port: best.port } };
}

/**
 * Reads sockets through `ss`. ss spends most of its time formatting text, on one core; on a large
 * host (LARGE_TCP TCP sockets in the previous unfiltered snapshot) two things cut that:
 * - lean: a request that wants neither details (-i -m) nor every socket's owner (processes 'all')
 *   nor one port runs TCP without -e except for listeners. Non-listening TCP sockets then have no
 *   uid, inode or cookie (as from a source that cannot see them). Listener attribution needs only
 *   listeners' inodes, which stay; views that show single sockets ask for details or every owner
 *   and get every field; what changes is the identity of those sockets in lean snapshots
 *   (ui/identity.ts, advise/facts.ts key them with the inode when there is one). Trade: -e costs
 *   ss ~25 ms and this process 20-80 ms of CPU at 100,000 sockets (4 MB more text, 100,000 cookie
 *   strings).
 * - split (2+ cores): TCP read by two ss processes in parallel, one per half of the port range.
 * With UDP/unix in their own ss, that is four processes. At 100,000 sockets on 2 cores a snapshot
 * then takes ~1.1x the wall time of `ss -tanH` instead of ~1.6x (see README, "The ss collector").
 * The order within TCP differs from one ss (ss's hash order per part). A run ss refuses (exit
 * status: an ss without state or port filters) makes this source use one plain ss from then on.
 */
export class SsSource implements SocketSource {
  readonly name = 'ss' as const;
  /** How to read the next collection (from the last unfiltered TCP snapshot). */
  private plan: SsPlan;
  /** Set when a lean or split run failed: one ss from then on. */
  private planFailed = false;
  /** The number of ss processes the last collection ran (the bench reports it). */
  lastProcesses = 0;

  private readonly largeTcp: number;
  private readonly canSplit: boolean;
  private readonly pinned: boolean;
  private readonly kernelNewlineNames: KernelNewlineNames;

  /**
   * `opts.largeTcp`: TCP sockets from which a host is large (default LARGE_TCP; Infinity: never).
   * `opts.split`: false never splits (one core never does). `opts.plan`: always read so (tests).
   */
  constructor(
    private readonly ssPath = 'ss',
    private readonly runner: StreamRunner = runStreaming,
    opts: { largeTcp?: number; split?: boolean; plan?: SsPlan; kernelNewlineNames?: KernelNewlineNames } = {},
  ) {
    this.kernelNewlineNames = opts.kernelNewlineNames ?? kernelNewlineNames;
    this.largeTcp = opts.largeTcp ?? LARGE_TCP;
    this.canSplit = opts.split !== false && availableParallelism() >= 2;
    this.plan = opts.plan ?? {};
    this.pinned = opts.plan !== undefined;
  }

  async collect(request: CollectOptions = {}): Promise<Snapshot> {
    const t0 = performance.now();
    const time = Date.now();
    const filtered = request.port !== undefined || request.peerPort !== undefined;
    // A unix socket has no port: with a port filter the unix runs are left out (as netlink does not dump them).
    const opts: CollectOptions = filtered ? { ...request, protocols: (request.protocols ?? ALL_PROTOCOLS).filter((p) => p !== 'unix') } : request;
    const scope = opts.processes ?? 'listeners';
    // ss -p walks every /proc/PID/fd on each call; the shared attributor caches instead, so ss -p is
    // only the fallback when the attributor is unavailable.
    const attribute = await attributeWith();
    const useSsProcesses = scope !== 'none' && !attribute;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const nothing = { sockets: [] as Socket[], unread: 0, newlineNames: 0, newlineFromKernel: false };
    const [read, host] = await Promise.all([opts.protocols?.length === 0 ? nothing : this.read(opts, useSsProcesses, timeoutMs), readHostInfo()]);
    let sockets = read.sockets;
    const notes: string[] = [];
    if (read.newlineNames > 0) notes.push(read.newlineFromKernel ? newlineNamesKernelNote(read.newlineNames) : newlineNamesNote(read.newlineNames));
    if (read.unread > 0) notes.push(`${read.unread} line${read.unread === 1 ? '' : 's'} of ss output could not be read (sockets in them are missing from this snapshot)`);
    if (!filtered && !this.pinned && !this.planFailed && (opts.protocols ?? ALL_PROTOCOLS).includes('tcp')) {
      this.plan = planFor(sockets, this.largeTcp, this.canSplit);
    }
    const keep = portFilterOf(opts);
    if (keep) sockets = sockets.filter(keep);
    let attribution: Snapshot['attribution'] = { scope, complete: true, hiddenProcesses: 0 };
    if (scope !== 'none') {
      if (attribute) attribution = await attribute(sockets, scope, { reach: opts.attribution });
      else if (typeof process.getuid === 'function' && process.getuid() !== 0) {
        attribution = { scope: 'all', complete: false, hiddenProcesses: 0, note: "ss -p shows only this user's processes without root" };
      } else attribution = { scope: 'all', complete: true, hiddenProcesses: 0 };
    }
    return assembleSnapshot({ time, startedAt: t0, host, source: 'ss', sockets, attribution, notes });
  }

  /**
   * Runs ss (several processes in parallel) and returns the sockets in ss's order, less the unix
   * sockets of the stdio of this process's ss and netstat children (stdio-sockets.ts; those of another
   * collection running at the same time too), the count of lines it could not read, and how many
   * unix sockets have a newline in their name.
   */
  private async read(opts: CollectOptions, withProcesses: boolean, timeoutMs: number): Promise<{ sockets: Socket[]; unread: number; newlineNames: number; newlineFromKernel: boolean }> {
    const runs = ssRuns(opts, withProcesses, this.planFailed ? {} : this.plan);
    this.lastProcesses = runs.length;
    const unix = (opts.protocols ?? ALL_PROTOCOLS).includes('unix');
    try {
      // The large TCP runs (last) start first: each start is a fork of this process, ~3-5 ms.
      const parts = new Array<Promise<SsRead>>(runs.length);
      for (let i = runs.length - 1; i >= 0; i--) parts[i] = this.readOne(runs[i], timeoutMs, unix);
      const reads = await Promise.all(parts);
      // ss printed sockets whose name holds a newline (rare: usually none): where the kernel answers,
      // those rows are its own (unix_diag gives a name with its length, which no name can forge)
      // instead of ss's text, in which one such name made up a unix row of its choosing.
      let newlineFromKernel = false;
      const nl = runs.findIndex((r) => r.unixNames === 'newline');
      if (nl >= 0 && reads[nl].sockets.length > 0) {
        const kernel = await this.kernelNewlineNames(timeoutMs, opts.details === true);
        if (kernel) {
          reads[nl] = { ...reads[nl], sockets: kernel, unixAt: kernel.map((_, i) => i) };
          newlineFromKernel = true;
        }
      }
      let unread = 0;
      let newlineNames = 0;
      for (const r of reads) unread += r.unread;
      for (let i = 0; i < runs.length; i++) if (runs[i].unixNames === 'newline') newlineNames += reads[i].sockets.length;
      if (unix) {
        // Every run lists the stdio socketpairs of every ss or netstat child still going, this
        // collection's and any other's in this process (two library snapshots at once). ss prints
        // peers, so this process's ends (always readable) are enough; the unix sockets are looked at
        // by index only.
        const own = stdioInodesInUse(reads.flatMap((r) => r.stdio));
        for (const r of reads) dropStdioSockets(r.sockets, own, r.unixAt);
      }
      const [first, ...others] = reads.map((r) => r.sockets);
      return { sockets: others.length ? first.concat(...others) : first, unread, newlineNames, newlineFromKernel };
    } catch (e) {
      // A run that ss refuses (exit status, e.g. no filter support): one plain ss from now on.
      if (!(e instanceof SsExitError) || this.planFailed || !runs.some((r) => r.args.includes('exclude') || r.args.some((a) => a === '<' || a === '>='))) throw e;
      this.planFailed = true;
      return this.read(opts, withProcesses, timeoutMs);
    }
  }

  /**
   * One ss process, parsed chunk by chunk as it writes (on another core while ss formats the
   * rest): the whole text is never held, and little is left to parse when ss exits. The unix run
   * of names with a newline (few sockets, usually none) is parsed whole by parseSsUnixRecords.
   */
  private async readOne(run: SsRun, timeoutMs: number, stdioSockets: boolean): Promise<SsRead> {
    const newline = run.unixNames === 'newline';
    const parser = new SsStreamParser(run.netid);
    const chunks: Buffer[] = [];
    const onStdout = newline ? (chunk: Buffer) => void chunks.push(Buffer.from(chunk)) : (chunk: Buffer) => parser.push(chunk);
    const res = await this.runner(this.ssPath, run.args, { timeoutMs, onStdout, ...(stdioSockets ? { stdioSockets } : {}) });
    if (res.exitCode !== 0) throw new SsExitError(`exited with ${res.exitCode}: ${res.stderr.trim().split('\n')[0] ?? ''}`);
    const stdio = res.stdioSockets ?? [];
    if (newline) {
      // Lines no socket was read from are parts of names here (a name's first line before its own
      // record's, as ss prints it), not sockets missing from the snapshot: not counted as unread.
      const { sockets } = parseSsUnixRecords(decodeUtf8Lines(Buffer.concat(chunks)));
      return { sockets, unread: 0, unixAt: sockets.map((_, i) => i), stdio };
    }
    let sockets = parser.end();
    let unixAt: readonly number[] = parser.unixAt;
    // A unix run lists unix sockets only: anything else in it was read from a name, whatever it looks like.
    if (run.unixNames === 'plain' && unixAt.length !== sockets.length) {
      sockets = unixAt.map((i) => sockets[i]);
      unixAt = sockets.map((_, i) => i);
    }
    return { sockets, unread: parser.unreadLines, unixAt, stdio };
  }
}

/** One ss process's result: its sockets, unreadable lines, where its unix sockets are, its stdio sockets' inodes. */
interface SsRead {
  sockets: Socket[];
  unread: number;
  unixAt: readonly number[];
  stdio: readonly number[];
}

/**
 * The note of a snapshot with unix sockets whose name holds a newline: ss prints such a name raw, so
 * where one of those sockets ends and the next begins is read from text their owners chose. Such a
 * name can hold whole unix records: an abstract socket "a\nu_str LISTEN 0 9 /run/forged.sock 4242 * 0\n..."
 * read as a /run/forged.sock listener with inode 4242 (and, with -p, any owner it wrote), its real
 * inode under a wrong name. What it cannot do is add a TCP or UDP socket, or add or hide a unix socket
 * whose name has no newline: those come from other ss runs (ssRuns). `n`: the rows read this way.
 */
export function newlineNamesNote(n: number): string {
  return `${n} unix socket${n === 1 ? ' has' : 's have'} a newline in ${n === 1 ? 'its' : 'their'} name: ss prints such names raw, so ${n === 1 ? 'this row is' : 'these rows are'} read from text the sockets' owners chose; such a name can make up unix rows here (name, inode, owner) or misname its own socket, but cannot add a TCP or UDP socket, nor add or hide a unix socket whose name has no newline`;
}

/** The note when the kernel named those sockets (kernelNewlineNames): nothing in them is read from their names' text. */
export function newlineNamesKernelNote(n: number): string {
  return `${n} unix socket${n === 1 ? ' has' : 's have'} a newline in ${n === 1 ? 'its' : 'their'} name: ss prints such names raw, so ${n === 1 ? 'it is' : 'they are'} read from the kernel (netlink unix_diag) instead`;
}

/** The unix sockets whose name holds a newline, as the kernel lists them; undefined when it cannot be asked. */
export type KernelNewlineNames = (timeoutMs: number, details: boolean) => Promise<Socket[] | undefined>;

/**
 * One netlink unix_diag dump (loaded only when ss printed such a name: this source is mostly the
 * fallback of hosts without netlink, where the import or the dump fails and ss's rows stay).
 */
const kernelNewlineNames: KernelNewlineNames = async (timeoutMs, details) => {
  try {
    const { dumpSockets } = await import('./netlink-dumps.js');
    const r = await dumpSockets({ protocols: ['unix'], timeoutMs, details });
    // An interrupted dump may miss sockets; a kernel without unix_diag gives none (and says so in a note).
    if (r.interrupted || r.notes.some((n) => n.includes('unix'))) return undefined;
    return r.sockets.filter((s) => s.local.address.includes('\n'));
  } catch {
    return undefined;
  }
};

/** ss ran and exited non-zero. */
class SsExitError extends CollectorError {
  constructor(message: string) {
    super('ss', message);
  }
}

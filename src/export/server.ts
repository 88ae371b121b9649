// The exporter's HTTP server: /metrics serves the last snapshot; collection runs on its own timer.
import { createServer, type Server } from 'node:http';
import { constants as osConstants } from 'node:os';
import { evaluateRules, makeContext } from '../advise/engine.js';
import type { SocketSource } from '../collect/source.js';
import { keepHistory } from '../advise/history.js';
import { historyWindowFor, type HistoryWindow } from '../model/history-window.js';
import type { Snapshot } from '../model/snapshot.js';
import { SocketMetrics } from './metrics.js';
import type { AttributionInfo } from '../model/snapshot.js';

export interface ExporterOptions {
  source: SocketSource;
  host: string;
  port: number;
  intervalMs: number;
  thresholds?: Record<string, number>;
  /**
   * Called when a collection fails after a good one (the exporter keeps serving that snapshot, collected at
   * `lastGood`, Unix ms) with an error not said just before: the first failure of a run, or one whose message
   * differs from the previous failure's. The same error again is not repeated (onStillFailing).
   */
  onError?: (e: Error, lastGood: number) => void;
  /** While one error repeats: at most once every `stillFailingEveryMs`, with how many collections in a row failed and since when (Unix ms). */
  onStillFailing?: (e: Error, failures: number, since: number, lastGood: number) => void;
  /**
   * The first good collection after failed ones: how many failed, since when (Unix ms); `first` when no collection
   * had succeeded before (the first snapshot, after onFirstFailing).
   */
  onRecovered?: (failures: number, since: number, first: boolean) => void;
  /**
   * Called once, when the first collection fails with an error that retrying may cure (ss busy, a netlink EINTR or
   * ENOBUFS, a timeout): the exporter retries every interval, answers /metrics with 503 until a snapshot exists, and
   * gives up (`ready` rejects) once `giveUp.attempts` collections in a row have failed and `giveUp.ms` have passed
   * since the first failure. Said once the server listens, never when it cannot.
   */
  onFirstFailing?: (e: Error, giveUp: { attempts: number; ms: number }) => void;
  /** FIRST_FAILURE_ATTEMPTS and FIRST_FAILURE_MS (tests). */
  firstFailureAttempts?: number;
  firstFailureMs?: number;
  /** How often onStillFailing may be called (STILL_FAILING_EVERY_MS; tests). */
  stillFailingEveryMs?: number;
  /**
   * Called once, after the first successful collection and once the server listens (never when it cannot), when
   * that collection could not see every process (other users' without root), with the line to print
   * (hiddenProcessesLine).
   */
  onHidden?: (line: string) => void;
}

export interface RunningExporter {
  server: Server;
  /** The address actually bound (port 0 picks a free one). */
  address: { host: string; port: number };
  /**
   * Resolves after the first good collection; rejects with a FirstCollectionError when the exporter gives up before
   * one (the first failure cannot go away by retrying, lastingFailure, or the first collections kept failing: see
   * onFirstFailing), and the exporter has then stopped: nothing collects any more and the server is closed (its
   * port released). Pending when closed before either.
   */
  ready: Promise<void>;
  /** Snapshots kept for the rules' history (thinned to their window; for tests). */
  historyLength(): number;
  close(): Promise<void>;
}

/**
 * One snapshot for the exporter: TCP without details (tcp_info for every connection of a busy host would
 * cost more than the rest of a collection), UDP with socket memory, so that a UDP socket's drop counter
 * and buffer (skmem d, rb) reach udp-socket-drops and the per-port UDP series. The UDP dump holds every
 * UDP socket, connected ones too: a resolver's outgoing queries, a QUIC server's socket per connection and
 * statsd/syslog clients make one socket per flow, not per bound port. Measured with 10,002 UDP sockets
 * (10,000 connected) on loopback, 2 loaded cores, median of 7: netlink 8.5 ms without skmem, 13 ms with
 * (about 13 and 20 ms of CPU); ss 340 ms and 420-440 ms. Only the unconnected ones feed the per-port
 * series, but the sources take no state filter, so the connected ones are read with skmem as well.
 */
async function collectForExport(source: SocketSource): Promise<Snapshot> {
  const [tcp, udp] = await Promise.all([
    source.collect({ protocols: ['tcp'], processes: 'listeners' }),
    // No owners: no UDP series or recommendation label names a process, and a second walk of every
    // /proc/PID/fd per collection would double attribution's cost.
    source.collect({ protocols: ['udp'], processes: 'none', details: true }),
  ]);
  return { ...tcp, sockets: [...tcp.sockets.filter((s) => s.protocol === 'tcp'), ...udp.sockets.filter((s) => s.protocol === 'udp')], durationMs: Math.max(tcp.durationMs, udp.durationMs), notes: [...new Set([...tcp.notes, ...udp.notes])] };
}

/**
 * The exporter's history for the rules: keepHistory without the compact arrays of outgoing TCP sockets in
 * its window entries (advise/facts.ts, windowEntry). Only a view scoped to a port reads them
 * (factsOf(entry, port), the monitor's --port), and the exporter evaluates the rules for the whole host
 * (makeContext without a port); building them cost about 4 ms a poll at 100,000 sockets.
 */
export function exportHistory(history: readonly Snapshot[], snap: Snapshot, window: HistoryWindow): Snapshot[] {
  return keepHistory(history, snap, window, { keepOutgoing: false });
}

/**
 * What the exporter says once about the processes it cannot read (as --json's note does), or undefined when nothing
 * is hidden: processes hidden (the count > 0), pointing at sockscope_hidden_processes, which has that count as its
 * sample then; a count unknown with attribution incomplete (a collector that only says it sees this user's
 * processes), without the gauge, which is absent then; nothing when attribution is complete with none hidden, or
 * absent altogether ("not available in this build": no process is hidden from this user, the build has no
 * attribution even as root).
 */
function hiddenProcessesLine(a: AttributionInfo): string | undefined {
  if (a.scope === 'none') return undefined;
  const n = a.hiddenProcesses;
  if (n > 0) {
    const note = a.note ?? `${n} process${n === 1 ? '' : 'es'} of other users ${n === 1 ? 'is' : 'are'} hidden: run as root to see them`;
    return `${note}; findings that need their sockets or open files (process-near-fd-limit) are missing (sockscope_hidden_processes counts them)`;
  }
  if (a.complete) return undefined;
  return `${a.note ?? 'some processes could not be read'}; how many is unknown, so findings that need other processes' sockets or open files (process-near-fd-limit) may be missing`;
}

/**
 * The path of a request-target: origin-form (`/metrics?x`) or absolute-form (`http://host:port/metrics`, which RFC
 * 9112 3.2.2 says a server must accept: it got 404); undefined for anything else. Only a target that does not start
 * with "/" is read as a URL: "//metrics" is a path, not a host named "metrics".
 */
function requestPath(target: string): string | undefined {
  if (target.startsWith('/')) return target.split('?')[0];
  try {
    return new URL(target).pathname;
  } catch {
    return undefined;
  }
}

/** How often the same collection error is said again while it repeats (ExporterOptions.onStillFailing). */
export const STILL_FAILING_EVERY_MS = 5 * 60_000;

/**
 * Before any snapshot, how many collections in a row must fail, and for how long since the first failure (both:
 * whichever comes later), before the exporter gives up: at 5 s, 7 collections in 30 s; at 1 min, 3 in 2 min. A
 * host busy at boot (ss's netlink socket refused with EAGAIN, a dump interrupted, a 10 s timeout at 100,000
 * sockets) collects at the next interval; one whose source cannot work (lastingFailure) ends at once.
 */
export const FIRST_FAILURE_ATTEMPTS = 3;
export const FIRST_FAILURE_MS = 30_000;

/**
 * Errors no retry cures: the tool is not installed (ENOENT of its binary, or of the kernel's sock_diag handler for
 * netlink), may not run or open its socket (EACCES, EPERM), the kernel lacks the protocol (EPROTONOSUPPORT,
 * EAFNOSUPPORT), the build lacks the native module or Node refuses native addons (MODULE_NOT_FOUND,
 * ERR_DLOPEN_FAILED, ERR_DLOPEN_DISABLED: node --no-addons). ENOENT is also procfs's /proc/net/tcp (/proc not mounted).
 */
const LASTING_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EPROTONOSUPPORT', 'EAFNOSUPPORT', 'MODULE_NOT_FOUND', 'ERR_DLOPEN_FAILED', 'ERR_DLOPEN_DISABLED']);
/** errno number -> name (netlink's errors carry the number only). */
const ERRNO_NAMES = new Map<number, string>();
for (const [name, n] of Object.entries(osConstants.errno)) if (!ERRNO_NAMES.has(n)) ERRNO_NAMES.set(n, name);
/**
 * What ss or netstat print for those (glibc's strerror, after "Cannot open netlink socket: "), read only when the
 * error carries no code: a tool that exited non-zero gives its stderr line, nothing else.
 */
const LASTING_TEXT = /: (Operation not permitted|Permission denied|Protocol not supported|Address family not supported by protocol)$/;
/** netlink's bindings failing to load (koffi's native module missing, not Linux): codeless, and cached for good. */
const NO_BINDINGS = /^netlink: (Cannot find the native Koffi module|netlink needs Linux)/;

/**
 * The code (ENOENT, EPERM...) of a collection error that retrying cannot cure, or undefined when it may go away
 * (EAGAIN, EINTR, ENOBUFS, a timeout, ss exiting 1 while busy, anything unknown). Decided by the codes of the error
 * and its causes (CollectorError -> the spawn error or NetlinkError); by the text only when none has one. An error
 * made of others (an AggregateError cause: auto's, one per collector; netstat's, one per binary) is lasting only
 * when each of them is, decided the same way: one that may go away (ss busy at boot) is retried.
 */
export function lastingFailure(e: unknown, nesting = 0): string | undefined {
  let coded = false;
  for (let x = e as { code?: unknown; errno?: unknown; cause?: unknown } | undefined, depth = 0; x && typeof x === 'object' && depth < 5; x = x.cause as typeof x, depth++) {
    const members: unknown[] | undefined = x instanceof AggregateError ? x.errors : undefined;
    if (members && members.length > 0 && nesting < 3) {
      const each = members.map((m) => lastingFailure(m, nesting + 1));
      return each.every((c) => c !== undefined) ? [...new Set(each)].join(', ') : undefined;
    }
    const code = typeof x.code === 'string' ? x.code : typeof x.errno === 'number' ? ERRNO_NAMES.get(Math.abs(x.errno)) : undefined;
    if (code === undefined) continue;
    if (LASTING_CODES.has(code)) return code;
    coded = true;
  }
  if (coded) return undefined;
  const message = ((e as Error)?.message ?? '').trimEnd();
  if (NO_BINDINGS.test(message)) return 'not available in this build';
  const text = LASTING_TEXT.exec(message);
  return text ? text[1] : undefined;
}

/**
 * The exporter gave up before its first snapshot: the first collection failed with an error retrying cannot cure
 * (`lasting`: ss not installed, netlink refused), or the first `failures` collections failed for `forMs`. Exporting
 * only the exporter's own counters would look up to a scrape for as long as it ran.
 */
export class FirstCollectionError extends Error {
  constructor(
    override readonly cause: Error,
    readonly failures = 1,
    readonly forMs = 0,
  ) {
    super(
      failures === 1
        ? `no snapshot to serve: the first collection failed: ${cause.message}`
        : `no snapshot to serve: the first ${failures} collections failed (for ${Math.round(forMs / 1000)} s): ${cause.message}`,
    );
    this.name = 'FirstCollectionError';
  }
}

/** Starts collecting every `intervalMs` and serving /metrics. Collections never overlap and never block a scrape. */
export async function startExporter(o: ExporterOptions): Promise<RunningExporter> {
  const metrics = new SocketMetrics();
  // The rules' window, thinned as the monitor's (model/history-window.ts): a history of every snapshot
  // (60 of them) held 60 copies of a 100,000-socket host.
  const window = historyWindowFor(o.thresholds ?? {});
  let history: Snapshot[] = [];
  let collecting = false;
  let stopped = false;
  let firstDone = false;
  /** Whether the server listens; until then the hidden-processes line waits in `hiddenLine`. */
  let listening = false;
  let hiddenLine: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  /** When the last good collection's snapshot was taken (Unix ms); undefined before the first. */
  let lastGood: number | undefined;
  /** Why the exporter gave up before a first snapshot: the loop has stopped and `ready` rejects. */
  let firstError: FirstCollectionError | undefined;
  /** The first collection failed with an error that may go away, said (onFirstFailing) once the server listens. */
  let firstFailing: Error | undefined;
  const giveUp = { attempts: o.firstFailureAttempts ?? FIRST_FAILURE_ATTEMPTS, ms: o.firstFailureMs ?? FIRST_FAILURE_MS };
  /** Settles `ready`: after the first good collection, or when giving up before one. */
  let settleFirst!: () => void;
  const firstSettled = new Promise<void>((r) => (settleFirst = r));
  /** The run of failed collections since the last good one: its first failure's time, its count, the last message and when it was said. */
  let failing: { since: number; count: number; message: string; saidAt: number } | undefined;
  const stillEvery = o.stillFailingEveryMs ?? STILL_FAILING_EVERY_MS;
  /** Ends the collection loop (close, or a listen that failed). */
  const stopLoop = () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };

  const collectOnce = async () => {
    if (collecting) return;
    collecting = true;
    try {
      const snap = await collectForExport(o.source);
      history = exportHistory(history, snap, window);
      const recs = evaluateRules(makeContext({ snapshot: snap, history, thresholds: o.thresholds }));
      metrics.update(snap, recs);
      const first = lastGood === undefined;
      lastGood = snap.time;
      // A first failure cured before the server listened was never said: nor is its cure.
      if (failing && (listening || !first)) o.onRecovered?.(failing.count, failing.since, first);
      failing = undefined;
      firstFailing = undefined;
      if (!firstDone) {
        firstDone = true;
        settleFirst();
        // The first collection starts before listen(): its line waits until the server listens, and is never
        // said when it cannot (as nobody on port 80 it came before "cannot listen on ...", pointing at a gauge
        // no endpoint would serve).
        const line = hiddenProcessesLine(snap.attribution);
        if (line && listening) o.onHidden?.(line);
        else hiddenLine = line;
      }
    } catch (e) {
      metrics.failed();
      const err = e as Error;
      const now = Date.now();
      if (lastGood === undefined) {
        // Nothing collected yet. An error that cannot go away (ss not installed, netlink refused) ends the exporter
        // at once; another one (ss busy at boot, a timeout) is retried every interval, said once, until giveUp.
        failing = { since: failing?.since ?? now, count: (failing?.count ?? 0) + 1, message: err.message, saidAt: now };
        const lasting = lastingFailure(err) !== undefined;
        if (lasting || (failing.count >= giveUp.attempts && now - failing.since >= giveUp.ms)) {
          firstError = new FirstCollectionError(err, failing.count, now - failing.since);
          stopLoop();
          settleFirst();
        } else if (failing.count === 1) {
          if (listening) o.onFirstFailing?.(err, giveUp);
          else firstFailing = err;
        }
        return;
      }
      // One line per error: the same one at every interval (ss missing: every 500 ms, forever) is said once,
      // then only every stillEvery while it lasts; a different one is said at once.
      if (!failing || failing.message !== err.message) {
        failing = { since: failing?.since ?? now, count: (failing?.count ?? 0) + 1, message: err.message, saidAt: now };
        o.onError?.(err, lastGood);
      } else {
        failing.count++;
        if (now - failing.saidAt >= stillEvery) {
          failing.saidAt = now;
          o.onStillFailing?.(err, failing.count, failing.since, lastGood);
        }
      }
    } finally {
      collecting = false;
    }
  };
  const loop = async () => {
    await collectOnce();
    if (!stopped) timer = setTimeout(loop, o.intervalMs);
  };
  // /metrics answers at once, 200 with what is known: until the first collection has finished, only the
  // exporter's own counters (a 503 would be a failed scrape, up == 0, at every restart; it is 503 once the first
  // collection has failed, while it is retried, see the handler). The host's counters
  // and the collection time are absent until then (SocketMetrics), never 0: Prometheus read a 0 followed
  // by the kernel's value as a reset and a rise of the whole value.
  const looped = loop();

  // Node checks headersTimeout and requestTimeout only every connectionsCheckingInterval (30 s by default):
  // a client that never finished its headers was closed after 28 s, not 5. Checked every second, a slow
  // or silent client is closed 5-6 s after it connected.
  const server = createServer({ connectionsCheckingInterval: 1_000 }, (req, res) => {
    const url = requestPath(req.url ?? '/');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url === '/metrics') {
      // The first collection failed and is retried: no snapshot yet, and a 200 with only the exporter's counters
      // would read up == 1 while nothing of the host is exported. 503 makes it a failed scrape (up == 0, the
      // target's error "server returned HTTP status 503"), as a stopped exporter would be; the text says why.
      if (lastGood === undefined && failing) {
        const body = `no snapshot yet: the first collection failed (${failing.count} in a row), retrying every ${o.intervalMs} ms: ${failing.message}\n`;
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': String(Math.max(1, Math.ceil(o.intervalMs / 1000))) }).end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      metrics
        .text()
        .then((body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(req.method === 'HEAD' ? undefined : body))
        .catch((e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${e.message}\n`));
      return;
    }
    if (url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html><body><h1>sockscope exporter</h1><p><a href="/metrics">/metrics</a></p></body></html>\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 50;
  const close = async () => {
    stopLoop();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  const listened = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: o.host, port: o.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // The first collection failed: no snapshot will be served, the server closes once its listen has ended.
  const ready = looped.then(() => firstSettled).then(async () => {
    if (!firstError) return;
    await listened.then(close, () => undefined);
    throw firstError;
  });
  // Said through startExporter's rejection when the failure comes first; a caller that never awaits `ready` is no unhandled rejection.
  ready.catch(() => undefined);
  try {
    await listened;
  } catch (e) {
    // No server to close later: end the collection loop started above, or it keeps the process alive
    // and keeps collecting for a caller that got an error (a collection in flight sets no new timer).
    stopLoop();
    throw e;
  }
  if (firstError) {
    // Failed before the server listened: rejected here, the server closed first, never a serving exporter.
    await ready.catch(() => undefined);
    throw firstError;
  }
  listening = true;
  if (hiddenLine) o.onHidden?.(hiddenLine);
  hiddenLine = undefined;
  if (firstFailing && lastGood === undefined) o.onFirstFailing?.(firstFailing, giveUp);
  firstFailing = undefined;
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  return {
    server,
    address: { host: o.host, port },
    ready,
    historyLength: () => history.length,
    close,
  };
}

// `sockscope export`: a Prometheus metrics endpoint (binds 127.0.0.1 unless told otherwise).
// The implementation: export.ts defines the command (flags, help) and loads this module when it runs.
import { isIP } from 'node:net';
import { getSystemErrorMap } from 'node:util';
import { enableHeapGovernor } from '../../collect/heap-governor.js';
import { createSource, type SourceChoice } from '../../collect/index.js';
import type { SocketSource } from '../../collect/source.js';
import { loadCliConfig } from '../../config/resolve.js';
import { escapeControl, escapeMessage } from '../../model/escape.js';
import { parseDuration } from '../duration.js';
import { parseListenAddress } from '../listen-address.js';
import { UsageError } from '../errors.js';
import { keepRunningWithoutOutput, writeOutput } from '../output-streams.js';
import { nodeAddress } from '../resolve-address.js';
import type { Args } from './export.js';

/**
 * Why the listen failed, as `sockscope try listen HOST:PORT` explains it (privileged port and how to grant
 * CAP_NET_BIND_SERVICE, who holds the port, an address this host does not have, a link-local address
 * without its scope id): the same call is made again through `try` (closed at once) and interpreted; ''
 * when it now succeeds, fails otherwise, or cannot be explained.
 */
async function whyNoListen(host: string, port: number, code: string | undefined, source: SocketSource): Promise<string> {
  if (!code) return '';
  try {
    const [{ resolveOne, runTry }, { interpretTry }] = await Promise.all([import('../../collect/try-call-context.js'), import('../../knowledge/interpret-try.js')]);
    const { address } = await resolveOne(host);
    // Node's server.listen sets SO_REUSEADDR: the same here, so that only what stopped the server stops this.
    const run = await runTry({ op: 'listen', host, address, port, reuseaddr: true, timeoutMs: 3000, source });
    if (run.call.ok || run.call.errno !== code) return '';
    const i = interpretTry(run.context);
    // Who holds the port, without try's next steps for EADDRINUSE: they name try's own flags (--reuseport).
    // Others that name a `try listen` to run name this command's flag instead.
    const steps = code === 'EADDRINUSE' ? [] : i.nextSteps.map((s) => s.replace(/sockscope try listen /g, 'sockscope export --listen '));
    // The summary names processes on the port: untrusted text.
    return escapeControl(`: ${i.summary}${steps.length ? ` (${steps.join('; ')})` : ''}`);
  } catch {
    return '';
  }
}

/** What the system calls an errno ("EINVAL" -> "invalid argument"), said when nothing explains it better. */
function errnoText(e: NodeJS.ErrnoException): string {
  const text = typeof e.errno === 'number' ? getSystemErrorMap().get(e.errno)?.[1] : undefined;
  return text ? ` (${text})` : '';
}

/**
 * The address to bind for --listen's host, checked before listening (bad input is exit 2 naming the flag,
 * where Node's listen gave "cannot listen on 256.1.1.1:19507: ENOTFOUND", exit 1): an IP literal whose zone
 * names an interface of this host, or a name that resolves (to its first address, as Node's listen takes it).
 */
async function listenAddress(host: string): Promise<string> {
  if (!isIP(host) && /^[\d.]+$/.test(host)) throw new UsageError(`--listen: '${host}' is not an IP address: an IPv4 address is four numbers 0-255 (127.0.0.1, 0.0.0.0), an IPv6 one goes in brackets ([::1]:9464)`);
  return nodeAddress(host, {
    input: '--listen',
    notFound: (code) => `--listen: '${host}' is not an IP address and does not resolve (${code}); give the address to bind (127.0.0.1, ::1, 0.0.0.0...)`,
    noAnswer: (why) => new Error(`cannot listen on ${host}: ${why}`),
  });
}

/** How long "serving" waits for the first collection (a slower one that fails says so after it). */
const FIRST_COLLECTION_GRACE_MS = 300;

/**
 * A line of the running exporter's on stderr; dropped once stderr is gone (its reader went away): the exporter
 * keeps serving (keepRunningWithoutOutput).
 */
const sayRaw = (line: string) => writeOutput('stderr', `sockscope export: ${line}\n`);
const say = (line: string) => sayRaw(escapeControl(line));
/** A time in a stderr line: local, to the second (2026-11-27 18:19:03). */
const at = (ms: number): string => {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};

export async function runExport(argv: Args): Promise<void> {
  // A daemon: its stderr (or stdout) reader going away no longer ends the run, as it ends a one-shot command.
  keepRunningWithoutOutput();
  const { host, port } = parseListenAddress('listen', argv.listen);
  const intervalMs = parseDuration('interval', argv.interval, { minMs: 100 });
  const address = await listenAddress(host);
  const { config } = await loadCliConfig();
  // prom-client loads with the exporter only (dynamic import).
  const { startExporter, FirstCollectionError } = await import('../../export/server.js');
  // A snapshot every interval for as long as it runs: keep its heap near what is live.
  enableHeapGovernor();
  const source = createSource(argv.source as SourceChoice);
  // The lines about a first collection that failed and is retried come after "serving" (it may fail before listen).
  let serving = false;
  const early: string[] = [];
  const sayServing = (line: string) => (serving ? say(line) : early.push(line));
  const exporter = await startExporter({
    source,
    host: address,
    port,
    intervalMs,
    thresholds: config.thresholds,
    // After a good collection: each new error once, the same one again every few minutes while it lasts, and a
    // line when collections work again.
    onError: (e, lastGood) => say(`collection failed (serving the snapshot of ${at(lastGood)}): ${e.message}`),
    onStillFailing: (e, n, since, lastGood) => say(`still failing: ${n} collections in a row since ${at(since)} (serving the snapshot of ${at(lastGood)}): ${e.message}`),
    // Before one: a first failure retrying cannot cure ends the command (failedFirst); another is said once and
    // retried until giveUp, then the first snapshot is said.
    onFirstFailing: (e, giveUp) =>
      sayServing(`the first collection failed, retrying every ${intervalMs} ms (/metrics answers 503 until a snapshot exists; gives up after ${giveUp.attempts} failed collections and ${Math.round(giveUp.ms / 1000)} s): ${e.message}`),
    onRecovered: (n, since, first) =>
      (first ? sayServing : say)(`${first ? 'first snapshot collected' : 'collecting again'} after ${n} failed collection${n === 1 ? '' : 's'} since ${at(since)}`),
    // Once, as --json's note says it: without root, findings about other users' processes are missing.
    onHidden: (line) => sayRaw(line),
  }).catch(async (e: NodeJS.ErrnoException) => {
    if (e instanceof FirstCollectionError) throw e;
    const why = await whyNoListen(address, port, e.code, source);
    throw new Error(`cannot listen on ${argv.listen}: ${e.code ?? e.message}${why || errnoText(e)}`);
  });
  // Giving up before a first snapshot ends the command (the exporter has closed its server): one line, exit 1, as
  // analyze-states with the same source says it, not a collection error every interval while /metrics serves
  // no snapshot. A source that cannot work at all (ss not installed, netlink refused) fails within
  // milliseconds: "serving" waits for the first collection that long, so that it is then the only line. One
  // that may recover (ss busy at boot) is retried, and gives up only after the exporter's bound.
  const failedFirst = (e: Error) => {
    writeOutput('stderr', `sockscope: ${escapeMessage(e.message)}\n`);
    process.exit(1);
  };
  let grace: NodeJS.Timeout | undefined;
  const first = await Promise.race([
    exporter.ready.then(
      () => undefined,
      (e: Error) => e,
    ),
    new Promise<undefined>((r) => (grace = setTimeout(() => r(undefined), FIRST_COLLECTION_GRACE_MS))),
  ]);
  clearTimeout(grace);
  if (first) failedFirst(first);
  exporter.ready.catch(failedFirst);
  const shown = exporter.address.host.includes(':') ? `[${exporter.address.host}]` : exporter.address.host;
  sayRaw(`serving http://${shown}:${exporter.address.port}/metrics every ${intervalMs} ms`);
  serving = true;
  for (const line of early.splice(0)) say(line);
  const stop = () => {
    exporter.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// `sockscope export`: a Prometheus metrics endpoint (binds 127.0.0.1 unless told otherwise).
// The implementation: export.ts defines the command (flags, help) and loads this module when it runs.
import { enableHeapGovernor } from '../../collect/heap-governor.js';
import { createSource, type SourceChoice } from '../../collect/index.js';
import type { SocketSource } from '../../collect/source.js';
import { loadCliConfig } from '../../config/resolve.js';
import { escapeControl } from '../../model/escape.js';
import { parseDuration, parseListenAddress } from '../duration.js';
import type { Args } from './export.js';

/**
 * Why the listen failed, as `sockscope try listen HOST:PORT` explains it (privileged port and how to grant
 * CAP_NET_BIND_SERVICE, who holds the port, an address this host does not have): the same call is made
 * again through `try` (closed at once) and interpreted; '' when it now succeeds, fails otherwise, or
 * cannot be explained.
 */
async function whyNoListen(host: string, port: number, code: string | undefined, source: SocketSource): Promise<string> {
  if (code !== 'EACCES' && code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL') return '';
  try {
    const [{ resolveOne, runTry }, { interpretTry }] = await Promise.all([import('../../collect/try-call-context.js'), import('../../knowledge/interpret-try.js')]);
    const { address } = await resolveOne(host);
    // Node's server.listen sets SO_REUSEADDR: the same here, so that only what stopped the server stops this.
    const run = await runTry({ op: 'listen', host, address, port, reuseaddr: true, timeoutMs: 3000, source });
    if (run.call.ok || run.call.errno !== code) return '';
    const i = interpretTry(run.context);
    // Who holds the port, without try's next steps for EADDRINUSE: they name try's own flags (--reuseport).
    const steps = code === 'EADDRINUSE' ? [] : i.nextSteps;
    // The summary names processes on the port: untrusted text.
    return escapeControl(`: ${i.summary}${steps.length ? ` (${steps.join('; ')})` : ''}`);
  } catch {
    return '';
  }
}

export async function runExport(argv: Args): Promise<void> {
  const { host, port } = parseListenAddress('listen', argv.listen);
  const intervalMs = parseDuration('interval', argv.interval, { minMs: 100 });
  const { config } = await loadCliConfig();
  // prom-client loads with the exporter only (dynamic import).
  const { startExporter } = await import('../../export/server.js');
  // A snapshot every interval for as long as it runs: keep its heap near what is live.
  enableHeapGovernor();
  const source = createSource(argv.source as SourceChoice);
  const exporter = await startExporter({
    source,
    host,
    port,
    intervalMs,
    thresholds: config.thresholds,
    onError: (e) => process.stderr.write(`sockscope export: collection failed (serving the last snapshot): ${e.message}\n`),
  }).catch(async (e: NodeJS.ErrnoException) => {
    throw new Error(`cannot listen on ${argv.listen}: ${e.code ?? e.message}${await whyNoListen(host, port, e.code, source)}`);
  });
  const shown = exporter.address.host.includes(':') ? `[${exporter.address.host}]` : exporter.address.host;
  process.stderr.write(`sockscope export: serving http://${shown}:${exporter.address.port}/metrics every ${intervalMs} ms\n`);
  const stop = () => {
    exporter.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

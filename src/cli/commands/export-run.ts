// `sockscope export`: a Prometheus metrics endpoint (binds 127.0.0.1 unless told otherwise).
// The implementation: export.ts defines the command (flags, help) and loads this module when it runs.
import { enableHeapGovernor } from '../../collect/heap-governor.js';
import { createSource, type SourceChoice } from '../../collect/index.js';
import { loadCliConfig } from '../../config/resolve.js';
import { parseDuration, parseListenAddress } from '../duration.js';
import type { Args } from './export.js';

export async function runExport(argv: Args): Promise<void> {
  const { host, port } = parseListenAddress('listen', argv.listen);
  const intervalMs = parseDuration('interval', argv.interval, { minMs: 100 });
  const { config } = await loadCliConfig();
  // prom-client loads with the exporter only (dynamic import).
  const { startExporter } = await import('../../export/server.js');
  // A snapshot every interval for as long as it runs: keep its heap near what is live.
  enableHeapGovernor();
  const exporter = await startExporter({
    source: createSource(argv.source as SourceChoice),
    host,
    port,
    intervalMs,
    thresholds: config.thresholds,
    onError: (e) => process.stderr.write(`sockscope export: collection failed (serving the last snapshot): ${e.message}\n`),
  }).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`cannot listen on ${argv.listen}: ${e.code ?? e.message}`);
  });
  const shown = exporter.address.host.includes(':') ? `[${exporter.address.host}]` : exporter.address.host;
  process.stderr.write(`sockscope export: serving http://${shown}:${exporter.address.port}/metrics every ${intervalMs} ms\n`);
  const stop = () => {
    exporter.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

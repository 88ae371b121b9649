// `sockscope export`: a Prometheus metrics endpoint (binds 127.0.0.1 unless told otherwise).
import type { CommandModule } from 'yargs';
import { enableHeapGovernor } from '../../collect/heap-governor.js';
import { createSource, type SourceChoice } from '../../collect/index.js';
import { loadConfig } from '../../config/load.js';
import { parseDuration, parseListenAddress } from '../duration.js';

interface Args {
  listen: string;
  interval: string;
  source: string;
}

export const exportCommand: CommandModule<object, Args> = {
  command: 'export',
  describe: 'Prometheus metrics endpoint (/metrics) for fleets',
  builder: (y) =>
    y
      .option('listen', { type: 'string', default: '127.0.0.1:9464', describe: 'HOST:PORT to bind ([::1]:9464 for IPv6); loopback unless told otherwise' })
      .option('interval', { type: 'string', default: '5s', describe: 'Collection interval (e.g. 5s, 500ms)' })
      .example('$0 export --listen 127.0.0.1:9464 --interval 5s', '') as never,
  handler: async (argv) => {
    const { host, port } = parseListenAddress('listen', argv.listen);
    const intervalMs = parseDuration('interval', argv.interval, { minMs: 100 });
    const { config } = loadConfig();
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
  },
};

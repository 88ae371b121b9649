// `sockscope analyze --port P`: one port's states, listeners, processes, top peers and recommendations.
import type { CommandModule } from 'yargs';
import { sourcesFor, withHostFlags } from '../host-option.js';
import { collectSeries, samplingOf, withSamplingFlags } from '../sampling.js';
import { loadConfig } from '../../config/load.js';
import { buildAnalyzeReport } from '../../report/analyze.js';
import { printJson, withJsonFlag, withPortFlags } from '../options.js';

interface Args {
  port?: number;
  'peer-port'?: number;
  json: boolean;
  source: string;
  host?: string[];
  'ssh-config'?: string;
  samples?: string;
  'sample-interval'?: string;
}

export const analyzeCommand: CommandModule<object, Args> = {
  command: 'analyze',
  describe: 'One port: states, listener/backlog, process, top peers, recommendations',
  builder: (y) =>
    withSamplingFlags(withHostFlags(withJsonFlag(withPortFlags(y)))).example('$0 analyze --port 8080', 'what this host serves on 8080') as never,
  handler: async (argv) => {
    const { config } = loadConfig();
    const port = argv.port;
    const peerPort = argv['peer-port'];
    const sources = sourcesFor(argv);
    const sampling = samplingOf(argv);
    const reports = await Promise.all(
      sources.map(async ({ source }) => {
        const { snapshot, history } = await collectSeries(source, { port, peerPort, protocols: ['tcp', 'udp'], processes: port !== undefined || peerPort !== undefined ? 'all' : 'listeners', details: true }, sampling.samples, sampling.intervalMs);
        return buildAnalyzeReport(snapshot, { port, peerPort }, history, config.thresholds);
      }),
    );
    if (argv.json) printJson(reports.length === 1 ? reports[0] : reports);
    else {
      // The table printer renders with Ink: loaded only for human output (--json starts without it).
      const { formatAnalyzeReport } = await import('../../report/print-analyze.js');
      process.stdout.write(
        reports.map((r, i) => (sources.length > 1 ? `== ${sources[i].label} ==\n` : '') + formatAnalyzeReport(r)).join('\n'),
      );
    }
  },
};

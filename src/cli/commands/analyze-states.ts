// `sockscope analyze-states [--port P]`: TCP state counts and one recommendation line (product.md's exact shape).
import type { CommandModule } from 'yargs';
import { sourcesFor, withHostFlags } from '../host-option.js';
import { collectSeries, samplingOf, withSamplingFlags } from '../sampling.js';
import { loadConfig } from '../../config/load.js';
import { buildStatesReport } from '../../report/analyze.js';
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

export const analyzeStatesCommand: CommandModule<object, Args> = {
  command: 'analyze-states',
  describe: 'TCP connections per state, then one recommendation line',
  builder: (y) => withSamplingFlags(withHostFlags(withJsonFlag(withPortFlags(y)))).example('$0 analyze-states --port 443', '') as never,
  handler: async (argv) => {
    const { config } = loadConfig();
    const port = argv.port;
    const peerPort = argv['peer-port'];
    const sources = sourcesFor(argv);
    const sampling = samplingOf(argv);
    const reports = await Promise.all(
      sources.map(async ({ source }) => {
        const { snapshot, history } = await collectSeries(source, { port, peerPort, protocols: port !== undefined ? ['tcp', 'udp'] : ['tcp'], processes: port !== undefined || peerPort !== undefined ? 'all' : 'listeners' }, sampling.samples, sampling.intervalMs);
        return buildStatesReport(snapshot, { port, peerPort }, history, config.thresholds);
      }),
    );
    if (argv.json) printJson(reports.length === 1 ? reports[0] : reports);
    else {
      // The table printer renders with Ink: loaded only for human output (--json starts without it).
      const { formatStatesReport } = await import('../../report/print-analyze.js');
      process.stdout.write(
        reports.map((r, i) => (sources.length > 1 ? `== ${sources[i].label} ==\n` : '') + formatStatesReport(r)).join('\n'),
      );
    }
  },
};

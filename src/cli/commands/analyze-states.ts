// `sockscope analyze-states [--port P]`: TCP state counts and one recommendation line (product.md's exact shape).
import type { CommandModule } from 'yargs';
import { createSource, type SourceChoice } from '../../collect/index.js';
import { loadConfig } from '../../config/load.js';
import { buildStatesReport } from '../../report/analyze.js';
import { formatStatesReport } from '../../report/print-analyze.js';
import { printJson, withJsonFlag, withPortFlags } from '../options.js';

interface Args {
  port?: number;
  'peer-port'?: number;
  json: boolean;
  source: string;
}

export const analyzeStatesCommand: CommandModule<object, Args> = {
  command: 'analyze-states',
  describe: 'TCP connections per state, then one recommendation line',
  builder: (y) => withJsonFlag(withPortFlags(y)).example('$0 analyze-states --port 443', '') as never,
  handler: async (argv) => {
    const { config } = loadConfig();
    const source = createSource(argv.source as SourceChoice);
    const port = argv.port;
    const peerPort = argv['peer-port'];
    const snap = await source.collect({ port, peerPort, protocols: port !== undefined ? ['tcp', 'udp'] : ['tcp'], processes: port !== undefined ? 'all' : 'listeners' });
    const report = buildStatesReport(snap, { port, peerPort }, undefined, config.thresholds);
    if (argv.json) printJson(report);
    else process.stdout.write(formatStatesReport(report));
  },
};

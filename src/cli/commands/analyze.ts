// `sockscope analyze --port P`: one port's states, listeners, processes, top peers and recommendations.
import type { CommandModule } from 'yargs';
import { createSource, type SourceChoice } from '../../collect/index.js';
import { loadConfig } from '../../config/load.js';
import { buildAnalyzeReport } from '../../report/analyze.js';
import { formatAnalyzeReport } from '../../report/print-analyze.js';
import { printJson, withJsonFlag, withPortFlags } from '../options.js';

interface Args {
  port?: number;
  'peer-port'?: number;
  json: boolean;
  source: string;
}

export const analyzeCommand: CommandModule<object, Args> = {
  command: 'analyze',
  describe: 'One port: states, listener/backlog, process, top peers, recommendations',
  builder: (y) =>
    withJsonFlag(withPortFlags(y)).example('$0 analyze --port 8080', 'what this host serves on 8080') as never,
  handler: async (argv) => {
    const { config } = loadConfig();
    const source = createSource(argv.source as SourceChoice);
    const port = argv.port;
    const peerPort = argv['peer-port'];
    const snap = await source.collect({ port, peerPort, protocols: ['tcp', 'udp'], processes: port !== undefined || peerPort !== undefined ? 'all' : 'listeners', details: true });
    const report = buildAnalyzeReport(snap, { port, peerPort }, undefined, config.thresholds);
    if (argv.json) printJson(report);
    else process.stdout.write(formatAnalyzeReport(report));
  },
};

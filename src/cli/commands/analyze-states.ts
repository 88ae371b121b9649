// `sockscope analyze-states [--port P]`: TCP state counts and one recommendation line (product.md's exact shape).
import type { CommandModule } from 'yargs';
import { buildStatesReport } from '../../report/analyze.js';
import { runReports, withReportFlags, type ReportArgs } from '../report-command.js';

export const analyzeStatesCommand: CommandModule<object, ReportArgs> = {
  command: 'analyze-states',
  describe: 'TCP connections per state, then one recommendation line',
  builder: (y) => withReportFlags(y).example('$0 analyze-states --port 443', '') as never,
  handler: (argv) =>
    runReports(
      argv,
      ({ port, peerPort }) => ({
        port,
        peerPort,
        protocols: port !== undefined ? ['tcp', 'udp'] : ['tcp'],
        processes: port !== undefined || peerPort !== undefined ? 'all' : 'listeners',
      }),
      buildStatesReport,
      async () => (await import('../../report/print-analyze.js')).formatStatesReport,
    ),
};

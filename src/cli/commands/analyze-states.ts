// `sockscope analyze-states [--port P]`: TCP state counts and one recommendation line (product.md's exact shape).
import type { CommandModule } from 'yargs';
import { withReportFlags, type ReportArgs } from '../report-flags.js';

export const analyzeStatesCommand: CommandModule<object, ReportArgs> = {
  command: 'analyze-states',
  describe: 'TCP connections per state, then one recommendation line',
  builder: (y) => withReportFlags(y).example('$0 analyze-states --port 443', '') as never,
  // The collectors, rules and report load when the command runs, not at start-up.
  handler: async (argv) => {
    const [{ runReports }, { buildStatesReport }] = await Promise.all([import('../report-command.js'), import('../../report/analyze.js')]);
    await runReports(
      argv,
      ({ port, peerPort }) => ({
        port,
        peerPort,
        protocols: port !== undefined ? ['tcp', 'udp'] : ['tcp'],
        processes: port !== undefined || peerPort !== undefined ? 'all' : 'listeners',
      }),
      buildStatesReport,
      async () => (await import('../../report/print-analyze.js')).formatStatesReport,
    );
  },
};

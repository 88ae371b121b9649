// `sockscope analyze --port P`: one port's states, listeners, processes, top peers and recommendations.
import type { CommandModule } from 'yargs';
import { buildAnalyzeReport } from '../../report/analyze.js';
import { runReports, withReportFlags, type ReportArgs } from '../report-command.js';

export const analyzeCommand: CommandModule<object, ReportArgs> = {
  command: 'analyze',
  describe: 'One port: states, listener/backlog, process, top peers, recommendations',
  builder: (y) => withReportFlags(y).example('$0 analyze --port 8080', 'what this host serves on 8080') as never,
  handler: (argv) =>
    runReports(
      argv,
      ({ port, peerPort }) => ({
        port,
        peerPort,
        protocols: ['tcp', 'udp'],
        // every socket's owner when scoped (names the pid of a leak); listeners only for the whole host
        processes: port !== undefined || peerPort !== undefined ? 'all' : 'listeners',
        details: true,
      }),
      buildAnalyzeReport,
      async () => (await import('../../report/print-analyze.js')).formatAnalyzeReport,
    ),
};

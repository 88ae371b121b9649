// `sockscope analyze --port P`: one port's states, listeners, processes, top peers and recommendations.
import type { CommandModule } from 'yargs';
import { withReportFlags, type ReportArgs } from '../report-flags.js';
import { COMMAND_HEADS } from './heads.js';
import { runReports } from '../report-command.js';
import { buildAnalyzeReport } from '../../report/analyze.js';

export const analyzeCommand: CommandModule<object, ReportArgs> = {
  ...COMMAND_HEADS.analyze,
  builder: (y) => withReportFlags(y).example('$0 analyze --port 8080', 'what this host serves on 8080') as never,
  // The collectors, rules and report are static imports of this module, which loads only when the line names
  // analyze (commands/index.ts): one load instead of two in a row (README, Start-up).
  handler: async (argv) => {
    await runReports(
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
    );
  },
};

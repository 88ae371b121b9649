// `sockscope analyze-states [--port P]`: TCP state counts and one recommendation line (product.md's exact shape).
import type { CommandModule } from 'yargs';
import { withReportFlags, type ReportArgs } from '../report-flags.js';
import { COMMAND_HEADS } from './heads.js';
import { runReports } from '../report-command.js';
import { buildStatesReport } from '../../report/analyze.js';
import { withUdpOnPort } from '../../report/udp-on-port.js';

export const analyzeStatesCommand: CommandModule<object, ReportArgs> = {
  ...COMMAND_HEADS.analyzeStates,
  builder: (y) => withReportFlags(y).example('$0 analyze-states --port 443', '') as never,
  // The collectors, rules and report are static imports of this module, which loads only when the line names
  // analyze-states (commands/index.ts): one load instead of two in a row (README, Start-up).
  handler: async (argv) => {
    await runReports(
      argv,
      ({ port, peerPort }) => ({
        port,
        peerPort,
        protocols: port !== undefined ? ['tcp', 'udp'] : ['tcp'],
        processes: port !== undefined || peerPort !== undefined ? 'all' : 'listeners',
        // Scoped, the same details analyze reads (tcp_info, socket memory with the UDP drop counters), so
        // both print the same recommendations: without them udp-receive-errors could not see the port's drops.
        ...(port !== undefined || peerPort !== undefined ? { details: true } : {}),
      }),
      // The port's UDP sockets, which the counts leave out (report/udp-on-port.ts; the library's analyzeStates adds them too).
      (snap, scope, history, thresholds) => withUdpOnPort(buildStatesReport(snap, scope, history, thresholds), snap, scope),
      async () => (await import('../../report/print-analyze.js')).formatStatesReport,
    );
  },
};

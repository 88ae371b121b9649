// `sockscope analyze-states [--port P]`: TCP state counts and one recommendation line (product.md's exact shape).
import type { CommandModule } from 'yargs';
import { withReportFlags, type ReportArgs } from '../report-flags.js';
import { COMMAND_HEADS } from './heads.js';

export const analyzeStatesCommand: CommandModule<object, ReportArgs> = {
  ...COMMAND_HEADS.analyzeStates,
  builder: (y) => withReportFlags(y).example('$0 analyze-states --port 443', '') as never,
  // The collectors, rules and report load when the command runs, not at start-up.
  handler: async (argv) => {
    const [{ runReports }, { buildStatesReport }, { withUdpOnPort }] = await Promise.all([import('../report-command.js'), import('../../report/analyze.js'), import('../../report/udp-on-port.js')]);
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

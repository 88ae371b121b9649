// `sockscope analyze-states [--port P]`: TCP state counts and one recommendation line (product.md's exact shape).
import type { CommandModule } from 'yargs';
import type { ReportScope } from '../../report/analyze.js';
import type { StatesReport } from '../../report/schema.js';
import type { Snapshot } from '../../model/snapshot.js';
import { withReportFlags, type ReportArgs } from '../report-flags.js';
import { escapeControl } from '../../model/escape.js';
import { formatEndpoint } from '../../model/socket.js';
import { COMMAND_HEADS } from './heads.js';

/**
 * The UDP sockets on --port P, which the state counts leave out (UDP has no connection states): said in
 * `notes`, and on a port with no TCP socket at all and no finding in the recommendation line too, which
 * otherwise read "TIME_WAIT count is normal" exactly as for a port nobody uses while a UDP service there
 * was dropping. The line (README's analyze-states section) is still the one Recommendation line:
 * "no TCP connections on port P; N UDP socket(s) on port P (ADDR:P NAME/PID; ...; K more), not counted
 * above: UDP has no connection states; sockscope analyze --port P --samples 5 shows its queue(s) and drops"
 * (with the --host, --ssh-config or --source it read with: ReportScope.repeat).
 */
export function withUdpOnPort(r: StatesReport, snap: Snapshot, scope: ReportScope): StatesReport {
  const port = scope.port;
  if (port === undefined) return r;
  const onPort = snap.sockets.filter((s) => s.local.port === port && (s.protocol === 'tcp' || s.protocol === 'udp'));
  const udp = onPort.filter((s) => s.protocol === 'udp');
  if (udp.length === 0) return r;
  const who = udp
    .slice(0, 3)
    // The device a socket is bound to (SO_BINDTODEVICE) as its zone, as ss and the exporter write it: two sockets on
    // 0.0.0.0:P bound to different devices are two services, not one listed twice.
    .map((s) => `${escapeControl(formatEndpoint({ ...s.local, scope: s.local.scope ?? s.boundDevice }))}${s.processes.length ? ` ${s.processes.slice(0, 2).map((p) => `${escapeControl(p.name)}/${p.pid}`).join(', ')}` : ''}`)
    .join('; ');
  const more = udp.length > 3 ? `; ${udp.length - 3} more` : '';
  const one = udp.length === 1;
  const what = `${udp.length} UDP socket${one ? '' : 's'} on port ${port} (${who}${more}), not counted above: UDP has no connection states; sockscope analyze --port ${port}${scope.repeat ?? ''} --samples 5 shows ${one ? 'its' : 'their'} queue${one ? '' : 's'} and drops`;
  const tcpless = !onPort.some((s) => s.protocol === 'tcp');
  const quiet = r.recommendation === 'TIME_WAIT count is normal';
  return { ...r, ...(tcpless && quiet ? { recommendation: `no TCP connections on port ${port}; ${what}` } : {}), notes: [...r.notes, what] };
}

export const analyzeStatesCommand: CommandModule<object, ReportArgs> = {
  ...COMMAND_HEADS.analyzeStates,
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
        // Scoped, the same details analyze reads (tcp_info, socket memory with the UDP drop counters), so
        // both print the same recommendations: without them udp-receive-errors could not see the port's drops.
        ...(port !== undefined || peerPort !== undefined ? { details: true } : {}),
      }),
      (snap, scope, history, thresholds) => withUdpOnPort(buildStatesReport(snap, scope, history, thresholds), snap, scope),
      async () => (await import('../../report/print-analyze.js')).formatStatesReport,
    );
  },
};

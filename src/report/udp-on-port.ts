// The UDP sockets on the port analyze-states is scoped to, which its TCP state counts leave out: the CLI command
// (cli/commands/analyze-states.ts) and the library's analyzeStates (api/host.ts, so `sockscope task` too) both add them.
import { escapeControl } from '../model/escape.js';
import type { Snapshot } from '../model/snapshot.js';
import { formatEndpoint } from '../model/socket.js';
import type { ReportScope } from './analyze.js';
import type { StatesReport } from './schema.js';

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

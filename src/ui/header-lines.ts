// The header's text: identity line, totals per state like `ss -s`, and the kernel counter rates that matter.
import { emptyStateCounts } from '../model/aggregate.js';
import { counter, type Snapshot } from '../model/snapshot.js';
import { counterRate } from '../model/history.js';
import { escapeControl } from '../model/escape.js';
import { clock, interval, rate } from './format.js';
import type { ProtocolToggles } from './derive.js';

/** "TCP 1234 (estab 100, syn-recv 2, time-wait 50, close-wait 3, fin-wait 1, orphan 0)  UDP 12  unix 300". */
export function totalsLine(s: Snapshot, compact = false): string {
  // One pass, no copy of the TCP sockets (this runs on every refresh).
  const c = emptyStateCounts();
  let tcp = 0;
  let udp = 0;
  let unix = 0;
  for (const x of s.sockets) {
    if (x.protocol === 'tcp') {
      tcp++;
      c[x.state]++;
    } else if (x.protocol === 'udp') udp++;
    else if (x.protocol === 'unix') unix++;
  }
  const orphan = counter(s.counters.sockstat, 'TCP', 'orphan');
  const n = (full: string, short: string, v: number) => `${compact ? short : full} ${v}`;
  const parts = [
    n('estab', 'est', c.ESTABLISHED),
    n('listen', 'lis', c.LISTEN),
    n('syn-recv', 'syn', c.SYN_RECV),
    n('time-wait', 'tw', c.TIME_WAIT),
    n('close-wait', 'cw', c.CLOSE_WAIT),
    n('fin-wait', 'fin', c.FIN_WAIT1 + c.FIN_WAIT2),
  ];
  if (orphan != null) parts.push(n('orphan', 'orph', orphan));
  return `TCP ${tcp} (${parts.join(compact ? ' ' : ', ')})  UDP ${udp}  unix ${unix}`;
}

/** Per-second rates of listen overflows, retransmitted segments and UDP receive-buffer errors. */
export function ratesLine(history: readonly Snapshot[], compact = false): string {
  const overflows = counterRate(history, 'netstat', 'TcpExt', 'ListenOverflows');
  const drops = counterRate(history, 'netstat', 'TcpExt', 'ListenDrops');
  const retrans = counterRate(history, 'snmp', 'Tcp', 'RetransSegs');
  const udpRcvbuf = counterRate(history, 'snmp', 'Udp', 'RcvbufErrors');
  const udpIn = counterRate(history, 'snmp', 'Udp', 'InErrors');
  if (compact) return `overflows ${rate(overflows)} drops ${rate(drops)} retrans ${rate(retrans)} udp-rcvbuf-err ${rate(udpRcvbuf)} in-err ${rate(udpIn)}`;
  return `listen overflows ${rate(overflows)}  drops ${rate(drops)}  retransmits ${rate(retrans)}  UDP rcvbuf errors ${rate(udpRcvbuf)}  in-errors ${rate(udpIn)}`;
}

/** What the monitor says when process attribution could not see every owner (the plain table prints the notes instead). */
export function hiddenOwners(s: Snapshot): string | undefined {
  const a = s.attribution;
  if (a.complete) return undefined;
  return a.hiddenProcesses > 0 ? "other users' processes hidden (run as root)" : escapeControl(a.note ?? 'process owners incomplete');
}

/** "web1 · Linux 6.1 · netlink · every 1s · 12:34"; `owners` adds what attribution could not see. */
export function identityLine(s: Snapshot | undefined, intervalMs: number | undefined, toggles: ProtocolToggles, port?: number, owners = false): string {
  const protos = (['tcp', 'udp', 'unix'] as const).filter((p) => toggles[p]).join('+');
  const every = intervalMs !== undefined ? [`every ${interval(intervalMs)}`] : [];
  const what = port !== undefined ? `${protos} port ${port}` : protos;
  const hidden = s && owners ? hiddenOwners(s) : undefined;
  const parts = s ? [escapeControl(s.hostname), what, s.source, ...every, clock(s.time), ...(hidden ? [hidden] : []), escapeControl(s.kernel)] : ['collecting…', what, ...every];
  return `sockscope · ${parts.join(' · ')}`;
}

// FIN_WAIT2 piling up: this side closed, the peers never close theirs.
import { factsFor, groupLabel, groupPortFields } from '../facts.js';
import { describeProcesses, fmtSeconds, uniqueProcesses } from '../format.js';
import type { Socket } from '../../model/socket.js';
import type { Rule } from '../rule.js';
import { persists, sustainedGrowth, windowOf } from '../series.js';
import { th } from '../thresholds.js';
import type { Recommendation } from '../types.js';
import { groupSeries, ssFilter } from './common.js';

/**
 * A FIN_WAIT2 socket no process holds. The kernel orphans a socket on close(): its inode reads 0 (ss's
 * ino:0). The timer tells only for tcp_fin_timeout <= 60 s (the socket becomes a timewait minisock with
 * the timewait timer); above 60 s it stays a full socket on the keepalive timer. Sources without the
 * inode fall back to the timer.
 */
function isOrphan(s: Socket): boolean {
  return s.inode !== undefined ? s.inode === 0 : s.timer?.name === 'timewait';
}

const finWait2: Rule = {
  id: 'fin-wait2-accumulating',
  severities: ['warning'],
  scope: 'port',
  topic: 'fin-wait2',
  summary:
    'At least finWait2Count FIN_WAIT2 sockets on a port (or growing by that much over the window): this side closed but the peers do not close their end. Orphaned ones expire after net.ipv4.tcp_fin_timeout.',
  thresholds: ['finWait2Count', 'persistSamples', 'windowSeconds'],
  evaluate(ctx) {
    const out: Recommendation[] = [];
    const min = th(ctx, 'finWait2Count');
    const win = windowOf(ctx);
    for (const g of factsFor(ctx).groups.values()) {
      if (g.protocol !== 'tcp') continue;
      const n = g.states.FIN_WAIT2;
      if (n === 0) continue;
      const level = n >= min && persists(ctx, (s) => (factsFor(ctx, s).groups.get(g.key)?.states.FIN_WAIT2 ?? 0) >= min);
      const growth = sustainedGrowth(groupSeries(ctx, win, g.key, (x) => x.states.FIN_WAIT2), min);
      if (!level && !growth) continue;
      const fin = ctx.snapshot.sysctls['net.ipv4.tcp_fin_timeout'];
      const fw = g.sockets.filter((s) => s.state === 'FIN_WAIT2');
      const orphaned = fw.filter(isOrphan).length;
      const procs = uniqueProcesses(fw.map((s) => s.processes));
      const held = procs.length ? `; ${describeProcesses(procs)} still holds them (half-closed with shutdown(SHUT_WR)?)` : '';
      out.push({
        id: this.id,
        severity: 'warning',
        scope: 'port',
        ...groupPortFields(g),
        ...(procs.length === 1 ? { pid: procs[0].pid } : {}),
        message: growth
          ? `FIN_WAIT2 grew from ${growth.from} to ${growth.to} in ${fmtSeconds(growth.seconds)} on ${groupLabel(g)}: the peers do not close their end${held}`
          : `${n} sockets in FIN_WAIT2 on ${groupLabel(g)}: this side closed, the peers do not close their end${held}`,
        evidence: `FIN_WAIT2 ${n} (warning at ${min}); ${orphaned} orphaned (no process holds them; the kernel frees them); net.ipv4.tcp_fin_timeout ${fin ?? 'unknown'} s`,
        fix:
          `Orphaned FIN_WAIT2 sockets last net.ipv4.tcp_fin_timeout: sysctl -w net.ipv4.tcp_fin_timeout=15 to free them sooner. ` +
          'If the application half-closed (shutdown(SHUT_WR)) and still holds the socket, add a read timeout and close() it; fix peers that never close. ' +
          `Confirm: ss -tno state fin-wait-2 ${ssFilter(g)}`,
      });
    }
    return out;
  },
};

export const finWaitRules: readonly Rule[] = [finWait2];

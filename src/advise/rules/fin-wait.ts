// FIN_WAIT2 piling up: this side closed, the peers never close theirs.
import { factsFor, groupLabel, groupPortFields } from '../facts.js';
import { describeProcesses, fmtSeconds, uniqueProcesses } from '../format.js';
import type { Socket } from '../../model/socket.js';
import type { Rule } from '../rule.js';
import { persists, sustainedGrowth, windowOf } from '../series.js';
import { th } from '../thresholds.js';
import { pastThreshold, type Recommendation } from '../types.js';
import { confirmOn, groupSeries, onHost, ssFilter } from './common.js';

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
    'At least finWait2Count FIN_WAIT2 sockets on a port (or growing by that much over the window): this side closed but the peers do not close their end. Orphaned ones expire after net.ipv4.tcp_fin_timeout, suggested only for them; ones a process still holds (half-closed with shutdown(SHUT_WR)) are the application\'s to close().',
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
      // Held: a process has them (a socket file, or attributed): half-closed with shutdown(SHUT_WR) and kept.
      // tcp_fin_timeout applies only to orphaned FIN_WAIT2 sockets, never to these.
      const heldBy = fw.filter((s) => !isOrphan(s) && (s.processes.length > 0 || (s.inode ?? 0) !== 0)).length;
      const unknown = fw.length - orphaned - heldBy;
      const procs = uniqueProcesses(fw.map((s) => s.processes));
      const who = procs.length ? describeProcesses(procs) : 'a process';
      const some = heldBy === fw.length ? 'them' : `${heldBy} of them`;
      const held = heldBy > 0 ? `; ${who} still holds ${some} (half-closed with shutdown(SHUT_WR)?)` : '';
      const finSec = fin != null ? Number.parseInt(fin, 10) : NaN;
      const sysctl = (n: string) =>
        Number.isFinite(finSec) && finSec <= 15
          ? `${n} last net.ipv4.tcp_fin_timeout (${finSec} s) and the kernel frees them then`
          : `${n} last net.ipv4.tcp_fin_timeout (${fin ?? 'unknown'} s): ${onHost(ctx)}sysctl -w net.ipv4.tcp_fin_timeout=15 frees them sooner (it applies to orphaned FIN_WAIT2 only)`;
      const fixes: string[] = [];
      if (heldBy > 0)
        fixes.push(
          `${heldBy === fw.length ? 'They are' : `${heldBy} are`} not orphaned: ${who} half-closed ${heldBy === 1 ? 'it' : 'them'} (shutdown(SHUT_WR)) and still holds ${heldBy === 1 ? 'it' : 'them'}, so tcp_fin_timeout does not apply: close() each when done reading (add a read timeout), and fix the peer that does not close its side.`,
        );
      if (orphaned > 0) fixes.push(`${sysctl(`${orphaned} orphaned FIN_WAIT2 socket${orphaned === 1 ? '' : 's'} (no process holds them)`)}; fix the peers that never close.`);
      if (unknown > 0)
        fixes.push(
          `For ${unknown === fw.length ? 'them' : `the other ${unknown}`} this source does not show whether a process holds them (${onHost(ctx)}ss -tnoe: ino:0 is orphaned): ` +
            `if orphaned, ${sysctl('they')}; if held, close() them after shutdown(SHUT_WR) when done reading.`,
        );
      out.push({
        id: this.id,
        severity: 'warning',
        scope: 'port',
        ...groupPortFields(g),
        ...pastThreshold(level ? n : growth!.to - growth!.from, min),
        ...(procs.length === 1 ? { pid: procs[0].pid } : {}),
        message: growth
          ? `FIN_WAIT2 grew from ${growth.from} to ${growth.to} in ${fmtSeconds(growth.seconds)} on ${groupLabel(g)}: the peers do not close their end${held}`
          : `${n} sockets in FIN_WAIT2 on ${groupLabel(g)}: this side closed, the peers do not close their end${held}`,
        evidence:
          `FIN_WAIT2 ${n} (warning at ${min}); ${orphaned} orphaned (no process holds them; the kernel frees them), ${heldBy} held by a process (tcp_fin_timeout does not apply to them)` +
          `${unknown > 0 ? `, ${unknown} unknown` : ''}; net.ipv4.tcp_fin_timeout ${fin ?? 'unknown'} s`,
        fix: `${fixes.join(' ')} ${confirmOn(ctx)}ss -tnoe state fin-wait-2 ${ssFilter(g)}`,
      });
    }
    return out;
  },
};

export const finWaitRules: readonly Rule[] = [finWait2];

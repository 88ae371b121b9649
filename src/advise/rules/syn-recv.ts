// SYN_RECV high on a port: a SYN flood or handshakes that do not complete.
import { sysctlInt, type Snapshot } from '../../model/snapshot.js';
import { factsOf, groupLabel } from '../facts.js';
import { fmtSeconds } from '../format.js';
import type { Rule } from '../rule.js';
import { persists, sustainedRise, windowOf } from '../series.js';
import { th } from '../thresholds.js';
import type { Recommendation } from '../types.js';

const synRecvHigh: Rule = {
  id: 'syn-recv-high',
  severities: ['warning', 'critical'],
  scope: 'port',
  topic: 'syn-recv',
  summary:
    'At least synRecvCount half-open connections (SYN_RECV) on a listening port, or a full SYN queue whatever the count (SYN_RECV past the listener\'s backlog, which caps the queue; or TcpExt SyncookiesSent, TCPReqQFullDoCookies or TCPReqQFullDrop rising while the port\'s SYN_RECV is at its backlog): a SYN flood or handshakes that do not complete (lost final ACKs, slow clients). Critical when the SYN queue is full (past the backlog, or those counters rising).',
  thresholds: ['synRecvCount', 'persistSamples'],
  evaluate(ctx) {
    const out: Recommendation[] = [];
    const facts = factsOf(ctx.snapshot);
    const warnAt = th(ctx, 'synRecvCount');
    const win = windowOf(ctx);
    const qfull = sustainedRise(win, 'netstat', 'TcpExt', ['TCPReqQFullDrop'], 1);
    const cookies = sustainedRise(win, 'netstat', 'TcpExt', ['SyncookiesSent'], 1);
    const doCookies = sustainedRise(win, 'netstat', 'TcpExt', ['TCPReqQFullDoCookies'], 1);
    const synSyncookies = sysctlInt(ctx.snapshot.sysctls, 'net.ipv4.tcp_syncookies');
    const dropped = qfull != null || synSyncookies === 0;
    const cookieText = cookies || doCookies ? ' and SYN cookies are sent' : '';
    for (const g of facts.groups.values()) {
      if (g.protocol !== 'tcp' || g.direction !== 'in') continue;
      const n = g.states.SYN_RECV;
      if (n === 0) continue;
      // The SYN queue holds at most the listen backlog + 1 (inet_csk_reqsk_queue_is_full: len > backlog;
      // measured, 6.18: listen(8) gives 9 SYN_RECV, then SyncookiesSent and TCPReqQFullDoCookies rise), so a
      // small backlog is full long before synRecvCount: full is a finding of its own. With several
      // listeners on the port (SO_REUSEPORT), the count is compared with the largest backlog.
      const backlogOf = (snap: Snapshot) => Math.max(0, ...(factsOf(snap).listeners.get(`tcp:${g.port}`) ?? []).filter((s) => !s.sendQUnknown).map((s) => s.sendQ));
      const backlog = backlogOf(ctx.snapshot);
      const synRecvOf = (snap: Snapshot) => factsOf(snap).groups.get(g.key)?.states.SYN_RECV ?? 0;
      const full = backlog > 0 && n > backlog && persists(ctx, (s) => synRecvOf(s) > backlogOf(s) && backlogOf(s) > 0);
      // Host-wide counters: attributed to a port whose SYN queue is at its backlog now, or any port with
      // half-open connections when this source cannot see backlogs (procfs, netstat).
      const counted = (backlog === 0 || n >= backlog) && (qfull ?? doCookies ?? cookies);
      const many = n >= warnAt && persists(ctx, (s) => synRecvOf(s) >= warnAt);
      if (!many && !full && !counted) continue;
      const peers = new Map<string, number>();
      for (const s of g.sockets) if (s.state === 'SYN_RECV') peers.set(s.peer.address, (peers.get(s.peer.address) ?? 0) + 1);
      const top = [...peers.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
      const sysc = ctx.snapshot.sysctls;
      const syncookies = sysc['net.ipv4.tcp_syncookies'];
      const maxSyn = sysctlInt(sysc, 'net.ipv4.tcp_max_syn_backlog');
      out.push({
        id: this.id,
        severity: full || counted ? 'critical' : 'warning',
        scope: 'port',
        protocol: 'tcp',
        port: g.port,
        message: `${n} half-open connection${n === 1 ? '' : 's'} (SYN_RECV) on ${groupLabel(g)}${
          full || counted ? `, ${full ? 'past the listen backlog: the SYN queue is full' : 'the SYN queue overflows'}${dropped ? ' and SYNs are dropped' : cookieText}` : ''
        }: a SYN flood or handshakes that do not complete`,
        evidence:
          `SYN_RECV ${n} (warning at ${warnAt}, or past the backlog) from ${peers.size} address${peers.size === 1 ? '' : 'es'} (top: ${top.map(([a, c]) => `${a} ${c}`).join(', ')}); listen backlog ${backlog > 0 ? `${backlog} (the SYN queue holds backlog + 1)` : 'unknown'}; ` +
          `net.ipv4.tcp_syncookies ${syncookies ?? 'unknown'}, net.ipv4.tcp_max_syn_backlog ${maxSyn ?? 'unknown'}` +
          (qfull ? `; TcpExt TCPReqQFullDrop +${qfull.delta} in ${fmtSeconds(qfull.seconds)}` : '') +
          (cookies ? `; SyncookiesSent +${cookies.delta}` : '') +
          (doCookies ? `; TCPReqQFullDoCookies +${doCookies.delta}` : ''),
        fix:
          `Keep SYN cookies on (sysctl -w net.ipv4.tcp_syncookies=1) so a full SYN queue does not drop clients; raise the SYN queue with the listen backlog and sysctl -w net.ipv4.tcp_max_syn_backlog=${Math.max(4096, (maxSyn ?? 1024) * 2)}; ` +
          `if a few addresses send most SYNs, filter them (nft/iptables rate limits). Confirm: ss -tn state syn-recv '( sport = :${g.port} )' | wc -l and nstat -az TcpExtTCPReqQFullDrop TcpExtSyncookiesSent`,
      });
    }
    return out;
  },
};

export const synRecvRules: readonly Rule[] = [synRecvHigh];

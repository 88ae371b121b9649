// SYN_RECV high on a port: a SYN flood or handshakes that do not complete.
import { sysctlInt } from '../../model/snapshot.js';
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
    'At least synRecvCount half-open connections (SYN_RECV) on a listening port: a SYN flood or handshakes that do not complete (lost final ACKs, slow clients). Critical when they reach the listener\'s backlog (the SYN queue is full) or TcpExt TCPReqQFullDrop is rising.',
  thresholds: ['synRecvCount', 'persistSamples'],
  evaluate(ctx) {
    const out: Recommendation[] = [];
    const facts = factsOf(ctx.snapshot);
    const warnAt = th(ctx, 'synRecvCount');
    const win = windowOf(ctx);
    const qfull = sustainedRise(win, 'netstat', 'TcpExt', ['TCPReqQFullDrop'], 1);
    const cookies = sustainedRise(win, 'netstat', 'TcpExt', ['SyncookiesSent'], 1);
    for (const g of facts.groups.values()) {
      if (g.protocol !== 'tcp' || g.direction !== 'in') continue;
      const n = g.states.SYN_RECV;
      if (n < warnAt) continue;
      if (!persists(ctx, (s) => (factsOf(s).groups.get(g.key)?.states.SYN_RECV ?? 0) >= warnAt)) continue;
      const backlog = Math.max(0, ...(facts.listeners.get(`tcp:${g.port}`) ?? []).filter((s) => !s.sendQUnknown).map((s) => s.sendQ));
      const full = backlog > 0 && n >= backlog;
      const peers = new Map<string, number>();
      for (const s of g.sockets) if (s.state === 'SYN_RECV') peers.set(s.peer.address, (peers.get(s.peer.address) ?? 0) + 1);
      const top = [...peers.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
      const sysc = ctx.snapshot.sysctls;
      const syncookies = sysc['net.ipv4.tcp_syncookies'];
      const maxSyn = sysctlInt(sysc, 'net.ipv4.tcp_max_syn_backlog');
      out.push({
        id: this.id,
        severity: full || qfull ? 'critical' : 'warning',
        scope: 'port',
        protocol: 'tcp',
        port: g.port,
        message: `${n} half-open connections (SYN_RECV) on ${groupLabel(g)}${full ? ', as many as the listen backlog (the SYN queue is full)' : ''}: a SYN flood or handshakes that do not complete`,
        evidence:
          `SYN_RECV ${n} (warning at ${warnAt}) from ${peers.size} addresses (top: ${top.map(([a, c]) => `${a} ${c}`).join(', ')}); listen backlog ${backlog}; ` +
          `net.ipv4.tcp_syncookies ${syncookies ?? 'unknown'}, net.ipv4.tcp_max_syn_backlog ${maxSyn ?? 'unknown'}` +
          (qfull ? `; TcpExt TCPReqQFullDrop +${qfull.delta} in ${fmtSeconds(qfull.seconds)}` : '') +
          (cookies ? `; SyncookiesSent +${cookies.delta}` : ''),
        fix:
          `Keep SYN cookies on (sysctl -w net.ipv4.tcp_syncookies=1) so a full SYN queue does not drop clients; raise the SYN queue with the listen backlog and sysctl -w net.ipv4.tcp_max_syn_backlog=${Math.max(4096, (maxSyn ?? 1024) * 2)}; ` +
          `if a few addresses send most SYNs, filter them (nft/iptables rate limits). Confirm: ss -tn state syn-recv '( sport = :${g.port} )' | wc -l and nstat -az TcpExtTCPReqQFullDrop TcpExtSyncookiesSent`,
      });
    }
    return out;
  },
};

export const synRecvRules: readonly Rule[] = [synRecvHigh];

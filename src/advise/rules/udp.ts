// UDP receive errors rising (Udp RcvbufErrors / InErrors), and UDP sockets whose drop counter rises.
import { socketKey, factsOf } from '../facts.js';
import { describeProcesses, fmtBytes, fmtRate, fmtSeconds, uniqueProcesses } from '../format.js';
import type { Rule } from '../rule.js';
import { sustainedRise, windowOf } from '../series.js';
import { th } from '../thresholds.js';
import type { Recommendation } from '../types.js';
import { socketDrops, type Socket } from '../../model/socket.js';

function rmemFix(ctx: Parameters<Rule['evaluate']>[0], target = 8 * 1024 * 1024): string {
  const max = ctx.snapshot.sysctls['net.core.rmem_max'];
  return (
    `Give the socket a larger receive buffer: C setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &(int){${target}}, sizeof(int)), Python sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, ${target}), Node dgram.createSocket({ type: 'udp4', recvBufferSize: ${target} }); ` +
    `the request is capped by net.core.rmem_max (now ${max ?? 'unknown'}): sysctl -w net.core.rmem_max=${target} (or net.core.rmem_default for every socket). Read faster: more readers with SO_REUSEPORT, recvmmsg() batches. ` +
    'Confirm: nstat -az UdpRcvbufErrors UdpInErrors (should stop rising) and ss -uam (skmem d = drops)'
  );
}

const udpReceiveErrors: Rule = {
  id: 'udp-receive-errors',
  severities: ['warning'],
  scope: 'host',
  topic: 'udp',
  summary:
    'Udp RcvbufErrors or InErrors (/proc/net/snmp) rose in at least two intervals of the window by udpErrorsMin or more: UDP datagrams are dropped because a socket\'s receive buffer is full (or checksums fail). Needs history.',
  thresholds: ['udpErrorsMin', 'windowSeconds'],
  evaluate(ctx) {
    const win = windowOf(ctx);
    const min = th(ctx, 'udpErrorsMin');
    const rb = sustainedRise(win, 'snmp', 'Udp', ['RcvbufErrors'], min);
    const ie = sustainedRise(win, 'snmp', 'Udp', ['InErrors'], min);
    const r = rb ?? ie;
    if (!r) return [];
    const full = ctx.snapshot.sockets
      .filter((s) => s.protocol === 'udp' && ((socketDrops(s) ?? 0) > 0 || (s.skmem && s.skmem.rcvbuf > 0 && s.skmem.rmemAlloc >= 0.9 * s.skmem.rcvbuf)))
      .sort((a, b) => (socketDrops(b) ?? 0) - (socketDrops(a) ?? 0))
      .slice(0, 3)
      .map(udpDetail);
    return [
      {
        id: this.id,
        severity: 'warning',
        scope: 'host',
        message: `UDP receive errors are rising: ${rb ? `RcvbufErrors +${rb.delta}` : `InErrors +${ie!.delta}`} in ${fmtSeconds(r.seconds)} (${fmtRate(r.perSecond)}); datagrams are dropped because a receive buffer is full`,
        evidence: `Udp RcvbufErrors ${rb ? `+${rb.delta}` : 'steady'}, InErrors ${ie ? `+${ie.delta}` : 'steady'} over ${win.length} samples; net.core.rmem_max ${ctx.snapshot.sysctls['net.core.rmem_max'] ?? 'unknown'}, net.core.rmem_default ${ctx.snapshot.sysctls['net.core.rmem_default'] ?? 'unknown'}${full.length ? `; sockets dropping: ${full.join('; ')}` : ''}`,
        fix: rmemFix(ctx),
      },
    ];
  },
};

function udpDetail(s: Socket): string {
  const p = uniqueProcesses([s.processes]);
  // Without socket memory (procfs: drops only) the queue is Recv-Q and the buffer's size is not known.
  const rcvbuf = s.skmem ? ` of rcvbuf ${fmtBytes(s.skmem.rcvbuf)}` : ' (rcvbuf not visible to this source)';
  return `udp port ${s.local.port}${p.length ? ` ${describeProcesses(p)}` : ''} drops ${socketDrops(s) ?? 0}, queued ${fmtBytes(s.skmem?.rmemAlloc ?? s.recvQ)}${rcvbuf}`;
}

const udpSocketDrops: Rule = {
  id: 'udp-socket-drops',
  severities: ['warning'],
  scope: 'socket',
  topic: 'udp',
  summary: 'A UDP socket\'s drop counter (skmem d, sk_drops) rose in at least two intervals of the window: its receive buffer overflows. Names the port and process. Needs history and the counter (netlink, ss -m, or the drops column of /proc/net/udp).',
  thresholds: ['udpErrorsMin', 'windowSeconds'],
  evaluate(ctx) {
    const win = windowOf(ctx);
    if (win.length < 3) return [];
    const min = th(ctx, 'udpErrorsMin');
    const out: Recommendation[] = [];
    for (const s of ctx.snapshot.sockets) {
      const now = socketDrops(s);
      if (s.protocol !== 'udp' || now == null || now === 0) continue;
      const k = socketKey(s);
      // Only the samples that carry the counter (a view without skmem leaves gaps): the rise is timed over them.
      const pts: { time: number; drops: number }[] = [];
      for (const snap of win) {
        const was = factsOf(snap).byKey.get(k);
        const d = was && socketDrops(was);
        if (d != null) pts.push({ time: snap.time, drops: d });
      }
      let rising = 0;
      let delta = 0;
      for (let i = 1; i < pts.length; i++) if (pts[i].drops > pts[i - 1].drops) { rising++; delta += pts[i].drops - pts[i - 1].drops; }
      if (rising < 2 || delta < min) continue;
      const p = uniqueProcesses([s.processes]);
      out.push({
        id: this.id,
        severity: 'warning',
        scope: 'socket',
        protocol: 'udp',
        port: s.local.port,
        ...(p.length === 1 ? { pid: p[0].pid } : {}),
        message: `UDP socket on port ${s.local.port}${p.length ? ` (${describeProcesses(p)})` : ''} is dropping datagrams: +${delta} in ${fmtSeconds((pts[pts.length - 1].time - pts[0].time) / 1000)}, its receive buffer overflows`,
        evidence: udpDetail(s),
        fix: rmemFix(ctx, Math.max(8 * 1024 * 1024, (s.skmem?.rcvbuf ?? 0) * 4)),
      });
    }
    return out;
  },
};

export const udpRules: readonly Rule[] = [udpReceiveErrors, udpSocketDrops];

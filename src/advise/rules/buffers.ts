// Buffers below the bandwidth-delay product on sockets that are rwnd- or sndbuf-limited.
import type { Socket } from '../../model/socket.js';
import { bdpBytes, capsFromSysctls } from '../buffers.js';
import { factsOf, groupLabel, groupPortFields, tupleKey } from '../facts.js';
import { fmtBitRate, fmtBytes, fmtUsAsMs } from '../format.js';
import type { Rule } from '../rule.js';
import { th } from '../thresholds.js';
import type { Recommendation } from '../types.js';

interface Limited {
  s: Socket;
  kind: 'rwnd' | 'sndbuf';
  share: number;
  bdp: number;
  buffer: number | null;
}

const bufferBelowBdp: Rule = {
  id: 'buffer-below-bdp',
  severities: ['warning'],
  scope: 'socket',
  topic: 'buffers',
  summary:
    'A TCP connection busy for at least bufferMinBusyMs spends at least bufferLimitedRatio of that time limited by the receiver\'s window (rwnd) or its own send buffer (sndbuf), and the limiting buffer is below 2 x BDP (delivery rate x rtt): throughput is capped by buffer size. Needs tcp_info and skmem.',
  thresholds: ['bufferLimitedRatio', 'bufferMinBusyMs'],
  evaluate(ctx) {
    const ratio = th(ctx, 'bufferLimitedRatio');
    const minBusy = th(ctx, 'bufferMinBusyMs') * 1000;
    const caps = capsFromSysctls(ctx.snapshot.sysctls);
    const facts = factsOf(ctx.snapshot);
    const out: Recommendation[] = [];
    for (const g of facts.groups.values()) {
      if (g.protocol !== 'tcp') continue;
      const found: Limited[] = [];
      for (const s of g.sockets) {
        const ti = s.tcpInfo;
        if (s.state !== 'ESTABLISHED' || !ti?.busyUs || ti.busyUs < minBusy || !ti.rttUs || !ti.deliveryRate) continue;
        const bdp = bdpBytes(ti.deliveryRate, ti.rttUs / 1000);
        const snd = (ti.sndbufLimitedUs ?? 0) / ti.busyUs;
        const rwnd = (ti.rwndLimitedUs ?? 0) / ti.busyUs;
        if (snd >= ratio && s.skmem && s.skmem.sndbuf < 2 * bdp) found.push({ s, kind: 'sndbuf', share: snd, bdp, buffer: s.skmem.sndbuf });
        // A persist timer means a zero window: the receiving application stopped reading, which no
        // buffer size fixes (send-q-persistent reports it).
        else if (rwnd >= ratio && s.timer?.name !== 'persist') {
          // The receiver's buffer limits us: if the peer is a socket on this host, its rcvbuf is known.
          const peer = facts.byTuple.get(tupleKey(s.peer.address, s.peer.port, s.local.address, s.local.port));
          const buf = peer?.skmem?.rcvbuf ?? null;
          if (buf == null || buf < 2 * bdp) found.push({ s, kind: 'rwnd', share: rwnd, bdp, buffer: buf });
        }
      }
      if (found.length === 0) continue;
      found.sort((a, b) => b.share - a.share);
      const w = found[0];
      const ti = w.s.tcpInfo!;
      const kinds = new Set(found.map((f) => f.kind));
      const tcpR = caps.tcpRmem ? caps.tcpRmem.join(' ') : 'unknown';
      const tcpW = caps.tcpWmem ? caps.tcpWmem.join(' ') : 'unknown';
      out.push({
        id: this.id,
        severity: 'warning',
        scope: 'socket',
        ...groupPortFields(g),
        message: `${found.length} connection${found.length === 1 ? '' : 's'} on ${groupLabel(g)} ${found.length === 1 ? 'is' : 'are'} limited by ${kinds.has('sndbuf') ? 'the send buffer' : ''}${kinds.size === 2 ? ' and ' : ''}${kinds.has('rwnd') ? "the receiver's window" : ''}: buffers below the bandwidth-delay product cap throughput`,
        evidence:
          `${w.s.peer.address}:${w.s.peer.port}: ${w.kind}-limited ${Math.round(w.share * 100)}% of busy time; rtt ${fmtUsAsMs(ti.rttUs!)}, delivery rate ${fmtBitRate(ti.deliveryRate!)}, BDP ${fmtBytes(w.bdp)}; ` +
          `${w.kind === 'sndbuf' ? 'sndbuf' : "receiver's rcvbuf"} ${w.buffer == null ? 'unknown (remote peer)' : fmtBytes(w.buffer)}; caps: net.core.rmem_max ${caps.rmemMax ?? 'unknown'}, wmem_max ${caps.wmemMax ?? 'unknown'}, tcp_rmem ${tcpR}, tcp_wmem ${tcpW}`,
        fix:
          (kinds.has('sndbuf')
            ? `Raise the send-buffer ceiling so autotuning can reach 2 x BDP: sysctl -w net.ipv4.tcp_wmem="${caps.tcpWmem?.[0] ?? 4096} ${caps.tcpWmem?.[1] ?? 16384} ${Math.max(caps.tcpWmem?.[2] ?? 0, 4 * w.bdp)}" (or setsockopt SO_SNDBUF >= BDP, which disables autotuning and is capped by net.core.wmem_max). `
            : '') +
          (kinds.has('rwnd')
            ? `On the receiving host, raise net.ipv4.tcp_rmem max (e.g. sysctl -w net.ipv4.tcp_rmem="4096 131072 ${Math.max(caps.tcpRmem?.[2] ?? 0, 4 * w.bdp)}") and do not set a small SO_RCVBUF (it turns autotuning off). `
            : '') +
          `Size for the link, not the measured rate: sockscope buffers --bandwidth <link speed> --rtt ${Math.max(1, Math.round(ti.rttUs! / 1000))}ms. Confirm: ss -tmi '( ${g.direction === 'in' ? 'sport' : 'dport'} = :${g.port} )' (rwnd_limited / sndbuf_limited, skmem)`,
      });
    }
    return out;
  },
};

export const bufferRules: readonly Rule[] = [bufferBelowBdp];

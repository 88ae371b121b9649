// Buffers below the bandwidth-delay product on sockets that are rwnd- or sndbuf-limited.
import { isLoopback, type Socket } from '../../model/socket.js';
import { receiveBufferDiagnosis, remoteReceiverDiagnosis, sendBufferDiagnosis, sendBufferLimits, uncollectedLocalReceiverDiagnosis, type BufferDiagnosis } from '../buffer-diagnosis.js';
import { BUFFER_PER_WINDOW, bdpBytes, capsFromSysctls } from '../buffer-plan.js';
import { busyAverageRate } from '../buffers.js';
import { factsFor, groupLabel, groupPortFields, tupleKey } from '../facts.js';
import { fmtBitRate, fmtBytes, fmtEndpoint, fmtUsAsMs } from '../format.js';
import type { Rule } from '../rule.js';
import { th } from '../thresholds.js';
import type { Recommendation } from '../types.js';
import { confirmOn, onHost } from './common.js';

interface Limited {
  s: Socket;
  kind: 'rwnd' | 'sndbuf';
  share: number;
  bdp: number;
  /** The rate the BDP was taken from: the delivery rate, or bytes acked over busy time when the sample was app-limited. */
  rate: number;
  buffer: number | null;
  /** Why, and what to do (the same words as `sockscope buffers`). */
  d: BufferDiagnosis;
  /** The receiving socket when it is on this host. */
  receiver?: Socket;
  /** The receiver is on this host (loopback or a local address) but not in the snapshot, or in it without its socket memory (`listed`). */
  uncollected?: boolean;
  listed?: boolean;
}

/** An address lower-cased and without its IPv4-mapped prefix, as local addresses are compared. */
const bareAddr = (address: string): string => address.toLowerCase().replace(/^::ffff:/, '');

/** Loopback, or an address a socket of this snapshot is bound to: the other end is on this host. */
function isLocalAddress(address: string, local: ReadonlySet<string>): boolean {
  const a = bareAddr(address);
  return isLoopback(a) || local.has(a);
}

const bufferBelowBdp: Rule = {
  id: 'buffer-below-bdp',
  severities: ['warning'],
  scope: 'socket',
  topic: 'buffers',
  summary:
    'A TCP connection busy for at least bufferMinBusyMs spends at least bufferLimitedRatio of that time limited by the receiver\'s window (rwnd) or its own send buffer (sndbuf), and the limiting buffer is below 2 x BDP (delivery rate x rtt, with bytes acked over busy time for a rate sample taken app-limited; a lower bound while limited; a window of one BDP takes about twice that in buffer), was fixed by the application, or is a send buffer autotuned to tcp_wmem max: throughput is capped by buffer size, or by a receiver on this host that reads too slowly. The fix follows the cause: SO_SNDBUF/SO_RCVBUF set by the application (a limited sndbuf below tcp_wmem max, rcvbuf below the tcp_rmem default, window scale 0), autotuning at its max, receive autotuning off (tcp_moderate_rcvbuf 0), a slow reader. Needs tcp_info and skmem.',
  thresholds: ['bufferLimitedRatio', 'bufferMinBusyMs'],
  evaluate(ctx) {
    const ratio = th(ctx, 'bufferLimitedRatio');
    const minBusy = th(ctx, 'bufferMinBusyMs') * 1000;
    const caps = capsFromSysctls(ctx.snapshot.sysctls);
    const facts = factsFor(ctx);
    const out: Recommendation[] = [];
    let locals: Set<string> | undefined;
    const localAddresses = (): Set<string> => (locals ??= new Set(ctx.snapshot.sockets.filter((x) => x.protocol !== 'unix').map((x) => bareAddr(x.local.address))));
    for (const g of facts.groups.values()) {
      if (g.protocol !== 'tcp') continue;
      const found: Limited[] = [];
      for (const s of g.sockets) {
        const ti = s.tcpInfo;
        if (s.state !== 'ESTABLISHED' || !ti?.busyUs || ti.busyUs < minBusy || !ti.rttUs || !ti.deliveryRate) continue;
        const rttMs = ti.rttUs / 1000;
        // An app-limited sample is how fast a few segments were acknowledged, not what the connection moves:
        // the average over busy time stands for it, as in `sockscope buffers` (131 Gbit/s against 15 Mbit/s measured).
        const rate = ti.deliveryRateAppLimited === true ? busyAverageRate(ti) : ti.deliveryRate;
        if (!rate) continue;
        // The measured rate of a limited connection is what the limit allows: the BDP is a lower bound.
        const bdp = bdpBytes(rate, rttMs);
        const snd = (ti.sndbufLimitedUs ?? 0) / ti.busyUs;
        const rwnd = (ti.rwndLimitedUs ?? 0) / ti.busyUs;
        // The measured BDP of a limited connection is only a lower bound, so a buffer the facts show fixed
        // by the application, or one autotuning took to tcp_wmem max, counts even above 2 x that BDP.
        const snd0 = snd >= ratio && s.skmem ? sendBufferDiagnosis(s.skmem.sndbuf, bdp, true, caps) : null;
        if (snd0 && sendBufferLimits(s.skmem!.sndbuf, bdp, snd0, caps))
          found.push({ s, kind: 'sndbuf', share: snd, bdp, rate, buffer: s.skmem!.sndbuf, d: snd0 });
        // A persist timer means a zero window: the receiving application stopped reading, which no
        // buffer size fixes (send-q-persistent reports it).
        else if (rwnd >= ratio && s.timer?.name !== 'persist') {
          // The receiver's buffer limits us: if the peer is a socket on this host, its rcvbuf is known.
          const listed = facts.byTuple.get(tupleKey(s.peer.address, s.peer.port, s.local.address, s.local.port));
          // Only a receiver whose socket memory was collected tells its rcvbuf (a collection may detail some sockets only).
          const peer = listed?.skmem ? listed : undefined;
          const buf = peer?.skmem?.rcvbuf ?? null;
          const local = peer ? receiveBufferDiagnosis(peer, bdp, true, caps, rttMs, rate) : null;
          if (buf == null || buf < BUFFER_PER_WINDOW * bdp || local?.kind === 'fixed') {
            // A loopback or local peer not in the snapshot, or in it without its socket memory, is this host's
            // socket left out of the collection, not a remote one.
            const uncollected = !peer && (listed !== undefined || isLocalAddress(s.peer.address, localAddresses()));
            const d = local ?? (uncollected ? uncollectedLocalReceiverDiagnosis(s, listed !== undefined) : remoteReceiverDiagnosis(s, bdp, true, rttMs, rate));
            found.push({ s, kind: 'rwnd', share: rwnd, bdp, rate, buffer: buf, d, receiver: local ? peer : undefined, ...(uncollected ? { uncollected: true, listed: listed !== undefined } : {}) });
          }
        }
      }
      if (found.length === 0) continue;
      found.sort((a, b) => b.share - a.share);
      const w = found[0];
      const ti = w.s.tcpInfo!;
      const kinds = new Set(found.map((f) => f.kind));
      const slow = found.every((f) => f.d.kind === 'slow-reader');
      const worstOf = (k: Limited['kind']) => found.find((f) => f.kind === k);
      const tcpR = caps.tcpRmem ? caps.tcpRmem.join(' ') : 'unknown';
      const tcpW = caps.tcpWmem ? caps.tcpWmem.join(' ') : 'unknown';
      const why = (f: Limited) => (f.kind === 'sndbuf' ? 'Send buffer' : f.receiver ? `Receiver (${fmtEndpoint(f.receiver.local)}, on this host)` : f.uncollected ? `Receiver (${fmtEndpoint(f.s.peer)}, on this host)` : 'Receiver');
      // On a remote snapshot the commands run on the host: sockscope buffers has no --host and compares with the caps where it runs.
      const on = onHost(ctx);
      const sizing = slow ? '' : `Size for the link, not the measured rate: ${on}sockscope buffers --bandwidth <link speed> --rtt ${Math.max(1, Math.round(ti.rttUs! / 1000))}ms. `;
      out.push({
        id: this.id,
        severity: 'warning',
        scope: 'socket',
        ...groupPortFields(g),
        message: `${found.length} connection${found.length === 1 ? '' : 's'} on ${groupLabel(g)} ${found.length === 1 ? 'is' : 'are'} limited by ${kinds.has('sndbuf') ? 'the send buffer' : ''}${kinds.size === 2 ? ' and ' : ''}${kinds.has('rwnd') ? "the receiver's window" : ''}: ${slow ? 'the receiving application reads too slowly' : 'buffers below the bandwidth-delay product cap throughput'}`,
        evidence:
          `${fmtEndpoint(w.s.peer)}: ${w.kind}-limited ${Math.round(w.share * 100)}% of busy time; rtt ${fmtUsAsMs(ti.rttUs!)}, delivery rate ${fmtBitRate(w.rate)}${w.rate !== ti.deliveryRate ? ` (bytes acked over busy time; the last sample, ${fmtBitRate(ti.deliveryRate!)}, was app-limited)` : ''}, BDP at least ${fmtBytes(w.bdp)}; ` +
          `${w.kind === 'sndbuf' ? 'sndbuf' : "receiver's rcvbuf"} ${w.buffer != null ? fmtBytes(w.buffer) : w.uncollected ? `unknown (a socket of this host ${w.listed ? 'whose socket memory was not collected' : 'not collected in this scope'})` : 'unknown (remote peer)'}; caps: net.core.rmem_max ${caps.rmemMax ?? 'unknown'}, wmem_max ${caps.wmemMax ?? 'unknown'}, tcp_rmem ${tcpR}, tcp_wmem ${tcpW}; ${w.d.cause}`,
        fix:
          (['sndbuf', 'rwnd'] as const)
            .map(worstOf)
            .filter((f): f is Limited => f != null)
            // A remote peer's fix is for the peer's host ("on the receiving host"), not the one read.
            .map((f) => `${why(f)}: ${f.kind === 'sndbuf' || f.receiver || f.uncollected ? on : ''}${f.d.fix}. `)
            .join('') +
          `${sizing}${confirmOn(ctx)}ss -tmi '( ${g.direction === 'in' ? 'sport' : 'dport'} = :${g.port} )' (rwnd_limited / sndbuf_limited, skmem)`,
      });
    }
    return out;
  },
};

export const bufferRules: readonly Rule[] = [bufferBelowBdp];

// Buffer analysis of live TCP connections: rtt, delivery rate and BDP against each one's buffers, with a
// verdict (pure). Sizing is in buffer-plan.ts, the causes in buffer-diagnosis.ts.
import { isLoopback, type Socket } from '../model/socket.js';
import { BUFFER_PER_WINDOW, bdpBytes, setsockoptValue, type BufferCaps } from './buffer-plan.js';
import { receiveBufferDiagnosis, receiveDiagnosisWithoutBdp, remoteReceiverDiagnosis, sendBufferDiagnosis, sendBufferLimits, sizeFor, type Sizing } from './buffer-diagnosis.js';
import { fmtBitRate, fmtBytes, fmtEndpoint, fmtSeconds } from './format.js';
import { resolveThresholds } from './thresholds.js';

// The sizing API, public from here as before the split (src/index.ts, the advise index).
export { BUFFER_PER_WINDOW, MAX_BUFFER, bdpBytes, capsFromSysctls, planBuffers, setsockoptCode, sysctlFile } from './buffer-plan.js';
export type { BufferCaps, BufferPlan, CodeLanguage, SysctlAdvice } from './buffer-plan.js';
export type { BufferDiagnosis } from './buffer-diagnosis.js';

/** One connection's buffer picture (from tcp_info and skmem). Sizes in bytes, rates in bytes/s, times in ms. */
export interface ConnectionBuffers {
  local: string;
  peer: string;
  state: string;
  processes: { pid: number; name: string }[];
  rttMs: number | null;
  /**
   * Which rtt rttMs is: 'rtt', this socket's (tcpi_rtt, ss rtt); 'peer-rtt', its local peer's, the sender's (this
   * side receives); 'rcv-rtt', this socket's receiver estimate (tcpi_rcv_rtt, ss rcv_rtt) on a socket that only
   * receives from a sender elsewhere, whose tcpi_rtt is only the handshake's sample; null without an rtt.
   */
  rttSource: 'rtt' | 'peer-rtt' | 'rcv-rtt' | null;
  /** Measured delivery rate of the data direction, bytes/s (the local peer's when this side receives). */
  deliveryRate: number | null;
  /** Bandwidth the BDP is computed with (target if given, else delivery rate), bytes/s. */
  bandwidthBasis: number | null;
  /** Where the bandwidth comes from: --bandwidth, this socket's delivery rate, or the local peer's (receiving side). */
  basis: 'target' | 'delivery-rate' | 'peer-delivery-rate' | 'unknown';
  /** Bytes. */
  bdpBytes: number | null;
  /**
   * True when bdpBytes comes from a measured rate that a buffer or window holds down (the connection is
   * rwnd- or sndbuf-limited): the link needs more, so no setsockopt value is derived from it.
   */
  bdpLowerBound: boolean;
  rcvbuf: number | null;
  sndbuf: number | null;
  /** Percent of busy time (0 when the kernel reports busy time but no limited time). */
  rwndLimitedPct: number | null;
  sndbufLimitedPct: number | null;
  /** setsockopt arguments that fit the BDP (null when rtt or rate is unknown, or the BDP is only a lower bound). */
  recommendedRcvbuf: number | null;
  recommendedSndbuf: number | null;
  verdict: string;
  /**
   * What the delivery rate sample is when it is not the connection's current rate (absent otherwise):
   * 'stale', taken before the sender stopped sending (staleDeliveryRate); 'app-limited', taken while the
   * application queued too little to fill the path (appLimitedDeliveryRate; not judged with --bandwidth).
   */
  rateSample?: ('stale' | 'app-limited')[];
}

/** When a connection counts as limited: buffer-below-bdp's thresholds (bufferLimitedRatio, bufferMinBusyMs). */
export interface BufferLimits {
  /** Share of busy time, 0-1. */
  ratio: number;
  minBusyUs: number;
}

/** The limits from thresholds (config `thresholds:`), defaults otherwise. */
export function bufferLimits(thresholds: Record<string, number> = {}): BufferLimits {
  const t = resolveThresholds(thresholds);
  return { ratio: t.bufferLimitedRatio, minBusyUs: t.bufferMinBusyMs * 1000 };
}

/** No data sent or received on this end (bytes_acked counts the SYN as 1). */
function idle(t: Socket['tcpInfo']): boolean {
  return !!t && !((t.bytesSent ?? 0) > 0) && !((t.bytesReceived ?? 0) > 0) && !((t.bytesAcked ?? 0) > 1);
}

/** A peer on this host: loopback, or this socket's own address (connections between local processes). */
function localPeerAddress(s: Socket): boolean {
  const a = s.peer.address;
  return a === s.local.address || isLoopback(a);
}

/**
 * The verdict of a connection that has received but measured no rate, nor its peer: a remote peer measures
 * it on its own host; a local one either was found without a rate (it closed, and the kernel keeps a
 * closed socket's end without tcp_info) or is not in this view (another network namespace).
 */
function receivesOnly(s: Socket, peer: Socket | undefined): string {
  if (peer) return `no delivery rate: this side only receives, and its local peer (${fmtEndpoint(peer.local)}, ${peer.state}) has measured none (closed, or not sending): give --bandwidth to size it`;
  if (localPeerAddress(s)) return 'no delivery rate: this side only receives, and its local peer is not in the socket list (closed, or in another network namespace): give --bandwidth to size it';
  return 'no delivery rate (this side only receives from a remote peer): give --bandwidth to size it';
}

const pctText = (v: number) => `${Math.round(v)}%`;

/** How an old delivery rate sample is told: the sender's silence, what waits, and the average over its busy time. */
export interface StaleRate {
  /** Milliseconds since the sender last sent data (tcpi_last_data_sent). */
  sinceMs: number;
  /** Bytes waiting in the sender's Send-Q. */
  waiting: number;
  /** The sender's zero-window probe timer runs (the receiver's window is shut). */
  zeroWindow: boolean;
  /** bytes_acked over busy time, bytes/s (null without either). */
  averageRate: number | null;
}

/**
 * tcpi_delivery_rate is the last sample the sender took, when data was last acknowledged. A sender with data
 * waiting that has sent nothing for a second and several rtts (a shut window, backoff) took it before it
 * stopped: measured, a sender of 10 MB to a reader at 1 KB/s kept 4.35 Gbit/s from its first burst, 7.2 s
 * earlier (lastsnd 7212 ms, persist timer, 128,000 bytes acked in 7.2 s busy). Null while the sample is current.
 */
export function staleDeliveryRate(s: Socket, peer?: Socket): StaleRate | null {
  const r = rateSender(s, peer);
  const sinceMs = r?.info.lastSendMs;
  if (!r || sinceMs == null || r.sender.sendQ <= 0) return null;
  const t = r.info;
  if (sinceMs < Math.max(1000, (4 * (t.rttUs ?? 0)) / 1000)) return null;
  return {
    sinceMs,
    waiting: r.sender.sendQ,
    zeroWindow: r.sender.timer?.name === 'persist',
    averageRate: busyAverageRate(t),
  };
}

/** bytes_acked (less the SYN) over busy time, bytes/s: 0 when nothing was acknowledged, null without either. */
export function busyAverageRate(t: NonNullable<Socket['tcpInfo']>): number | null {
  return t.bytesAcked != null && t.busyUs ? (Math.max(0, t.bytesAcked - 1) * 1e6) / t.busyUs : null;
}

/** An app-limited rate sample: the sender's average over its busy time (bytes_acked / busy time), null without either. */
interface AppLimitedRate {
  averageRate: number | null;
}

/**
 * The side that measures the data direction's rate: this socket when it has a rate of its own (it sends),
 * else its local peer with one (this side receives). The kernel measures rates only on senders.
 */
function rateSender(s: Socket, peer?: Socket): { sender: Socket; info: NonNullable<Socket['tcpInfo']>; receiving: boolean } | null {
  const ti = s.tcpInfo;
  if (ti?.deliveryRate != null && ti.deliveryRate > 0 && (ti.bytesSent ?? ti.bytesAcked ?? 1) > 1) return { sender: s, info: ti, receiving: false };
  const pti = peer?.tcpInfo;
  if (peer && pti?.deliveryRate != null && pti.deliveryRate > 0) return { sender: peer, info: pti, receiving: true };
  return null;
}

/**
 * tcpi_delivery_rate_app_limited: the sender took its last rate sample while the application had too little
 * data queued to fill the path, so the sample is how fast those few segments were acknowledged, not what the
 * connection moves. Measured on loopback: a sender with SO_SNDBUF 16384 to an autotuning reader showed
 * delivery_rate 131 Gbit/s app_limited while moving 7.1 MB in 3.8 s busy (15 Mbit/s). Null when the sample
 * is not app-limited (or the source does not say).
 */
export function appLimitedDeliveryRate(s: Socket, peer?: Socket): AppLimitedRate | null {
  const sender = rateSender(s, peer);
  if (!sender || sender.info.deliveryRateAppLimited !== true) return null;
  return { averageRate: busyAverageRate(sender.info) };
}

/**
 * Buffer analysis of one TCP connection; `targetBytesPerSecond` replaces the measured delivery rate when
 * given. `peer` is the other end when it is a socket on this host (loopback, containers): a receiving
 * socket then borrows the sender's rate and rwnd-limited time, since only senders measure them. Only the
 * buffers of the direction that carries data are judged (a bulk sender's rcvbuf holds nothing), and
 * "limited" means what buffer-below-bdp means (`limits`).
 */
export function connectionBuffers(s: Socket, targetBytesPerSecond?: number, peerSocket?: Socket, caps?: BufferCaps, limits: BufferLimits = bufferLimits(), targetRttMs?: number): ConnectionBuffers {
  const ti = s.tcpInfo;
  // No tcp_info of its own beside a peer with it: the source gives tcp_info, so this is what is left of a
  // closed connection (a FIN_WAIT2 timewait-like socket, ino 0): the peer's rtt and rate are not its own.
  const remainder = !ti && peerSocket?.tcpInfo != null;
  const peer = remainder ? undefined : peerSocket;
  const pti = peer?.tcpInfo;
  // The direction that carries data: this side's sending, or (receiver) the local peer's sending.
  const measured = rateSender(s, peer);
  const receiving = measured?.receiving === true;
  const rate = measured?.info.deliveryRate ?? null;
  // The sender's rtt is the one the window must cover (a receiver's own rtt estimate is rough).
  const { rttUs, rttSource } = chooseRtt(ti, pti, receiving, measured == null);
  const rttMs = rttUs != null ? rttUs / 1000 : null;
  // An app-limited sample is not what the connection does: the BDP uses the average over busy time
  // (bytes_acked / busy time) instead, or none without it, and no size is derived from either.
  const appLimited = targetBytesPerSecond == null ? appLimitedDeliveryRate(s, peer) : null;
  let basisRate = targetBytesPerSecond ?? (appLimited ? appLimited.averageRate : rate);
  // A given rtt (with a given bandwidth: the link to size for) replaces the measured one in the BDP only.
  const bdpRttMs = targetBytesPerSecond != null && targetRttMs != null ? targetRttMs : rttMs;
  let bdp = bdpRttMs != null && basisRate != null ? bdpBytes(basisRate, bdpRttMs) : null;
  // The kernel reports busy time with the limited times (Linux 4.10+); ss prints rwnd_limited and
  // sndbuf_limited only when non-zero, so a missing one next to busy time is 0, not unknown.
  const pct = (t: TcpInfoLike | undefined, v?: number) => (t?.busyUs ? Math.min(100, (100 * (v ?? 0)) / t.busyUs) : null);
  const senderInfo = receiving ? pti : ti;
  const rwnd = pct(senderInfo, senderInfo?.rwndLimitedUs);
  const sndl = receiving ? null : pct(ti, ti?.sndbufLimitedUs);
  const judged = (senderInfo?.busyUs ?? 0) >= limits.minBusyUs;
  const sndLimited = judged && sndl != null && sndl >= 100 * limits.ratio;
  const rwndLimited = judged && rwnd != null && rwnd >= 100 * limits.ratio;
  const rcvbuf = s.skmem?.rcvbuf ?? null;
  const sndbuf = s.skmem?.sndbuf ?? null;
  const lowerBound = bdp != null && targetBytesPerSecond == null && (sndLimited || rwndLimited);
  // An rwnd-limited sender has at most the receiver's window in flight. A rate sample whose BDP exceeds the
  // receiver's whole buffer while the average over busy time (bytes_acked / busy time) gives one within it was a
  // burst (review s25 #4: ">= 23.7 MiB" with an 8 MiB rcvbuf, 13.7 Mbit/s moved on average): the bound then comes
  // from that average, as for an app-limited sample. The buffer is the local receiver's rcvbuf, else the window it
  // advertises. (On loopback a real rate can give a BDP above the buffer too, srtt being inflated by delayed ACKs:
  // its average is as high, so it stays.)
  let burst: { sampleBdp: number; cap: number } | null = null;
  if (lowerBound && rwndLimited && !sndLimited && bdp != null && bdpRttMs != null && senderInfo) {
    const cap = receiving ? s.skmem?.rcvbuf : (peer?.skmem?.rcvbuf ?? senderInfo.sndWnd);
    const avg = busyAverageRate(senderInfo);
    if (cap != null && cap > 0 && bdp > cap && avg != null && avg > 0 && bdpBytes(avg, bdpRttMs) <= cap) {
      burst = { sampleBdp: bdp, cap };
      bdp = bdpBytes(avg, bdpRttMs);
      basisRate = avg;
    }
  }
  // An old rate sample (staleDeliveryRate) sizes nothing; --bandwidth does.
  const stale = rate != null ? staleDeliveryRate(s, peer) : null;
  const recommended = bdp != null && !lowerBound && !(stale && targetBytesPerSecond == null) && !appLimited ? setsockoptValue(bdp) : null;
  // Which of this socket's buffers carry data: sndbuf when it sends, rcvbuf when it receives.
  const sends = measured != null && !receiving;
  const receives = !sends || (ti?.bytesReceived ?? 0) > (ti?.bytesSent ?? 0);
  // An app-limited sample sizes nothing (no SO_*BUF, no sysctl value), a held-down one only from below.
  const sizing: Sizing = appLimited ? 'app-limited' : lowerBound ? 'lower-bound' : 'exact';
  const sndDiagnosis = bdp != null && sndLimited && sndbuf != null ? sendBufferDiagnosis(sndbuf, bdp, sizing, caps) : null;
  // Without a BDP, what the receiving socket itself shows comes first (unread data filling the buffer,
  // window scale 0, scaling not negotiated): none of it needs a bandwidth, and "give --bandwidth" would
  // point at a bigger buffer.
  const noBdpReceive = bdp == null && receives && !(idle(ti) && (!peer || idle(pti))) ? receiveDiagnosisWithoutBdp(s, caps, rttMs) : null;
  let verdict: string;
  if (remainder)
    verdict = `no tcp_info for this ${s.state} socket, while its local peer (${fmtEndpoint(peerSocket!.local)}) has it: a closed connection the kernel keeps only to finish the close (ino 0), so nothing to size`;
  else if (noBdpReceive)
    verdict =
      noBdpReceive.kind === 'slow-reader'
        ? `${noBdpReceive.cause}: ${noBdpReceive.fix}`
        : `receive window ${noBdpReceive.window != null && noBdpReceive.window < 65535 ? `at most about ${fmtBytes(noBdpReceive.window)}` : 'capped at 64 KiB'}: ${noBdpReceive.cause}: ${noBdpReceive.fix}`;
  else if (bdp == null && appLimited && rttMs != null) verdict = 'give --bandwidth <link speed> to size it';
  else if (bdp == null)
    verdict = !ti && !pti
      ? 'no tcp_info from this source (try --source ss)'
      : rttMs == null
        ? 'rtt unknown: no BDP'
        : idle(ti) && (!peer || idle(pti))
          ? 'idle: no data sent either way yet, nothing to measure (give --bandwidth to size it for a link)'
          : receivesOnly(s, peer);
  else if (sndDiagnosis && sendBufferLimits(sndbuf!, bdp, sndDiagnosis, caps))
    verdict = `send buffer too small: sndbuf-limited ${pctText(sndl!)} of busy time; ${sndDiagnosis.cause}: ${sndDiagnosis.fix}`;
  else if (rwndLimited) {
    if (receiving) {
      const d = receiveBufferDiagnosis(s, bdp, sizing, caps, rttMs, rate);
      // rcvbuf >= 2 x BDP while the window limits means unread data shrinks the window, unless the
      // facts show a fixed buffer (on loopback a fixed 64 KiB one limits 64 KiB segments).
      verdict =
        d?.kind === 'slow-reader'
          ? `the sender is rwnd-limited ${pctText(rwnd!)} of busy time: ${d.cause}: ${d.fix}`
          : rcvbuf != null && rcvbuf >= BUFFER_PER_WINDOW * bdp && d?.kind !== 'fixed'
            ? `the sender is rwnd-limited ${pctText(rwnd!)} of busy time with rcvbuf >= 2 x BDP: this application reads too slowly (its buffer fills)`
            : `receive buffer too small: the sender is rwnd-limited ${pctText(rwnd!)} of busy time; ${d ? `${d.cause}: ${d.fix}` : `rcvbuf unknown: raise it (SO_RCVBUF >= ${sizeFor(bdp, sizing)}) or read faster`}`;
    } else {
      const local = peer?.skmem ? receiveBufferDiagnosis(peer, bdp, sizing, caps, rttMs, rate) : null;
      const d = local ?? remoteReceiverDiagnosis(s, bdp, sizing, rttMs, rate);
      verdict = `${d.kind === 'slow-reader' ? 'the receiver reads too slowly' : "receiver's window too small"}: rwnd-limited ${pctText(rwnd!)} of busy time; ${local ? `the receiver (${fmtEndpoint(peer!.local)}, on this host): ` : ''}${d.cause}: ${d.fix}`;
    }
  } else {
    const below: string[] = [];
    if (sends && sndbuf != null && sndbuf < BUFFER_PER_WINDOW * bdp) below.push('sndbuf');
    if (receives && rcvbuf != null && rcvbuf < BUFFER_PER_WINDOW * bdp) below.push('rcvbuf');
    const which = [sends ? 'sndbuf' : '', receives ? 'rcvbuf' : ''].filter(Boolean).join(' and ');
    // Limited time is measured by the sender: this socket, or the local peer of a receiving one.
    const measuredHere = sends || receiving;
    // sndbuf-limited while sndbuf is 2 x the measured BDP (a lower bound) and tcp_wmem unknown: the
    // limited time stands, so never "fits".
    if (sndDiagnosis) verdict = `sndbuf-limited ${pctText(sndl!)} of busy time with sndbuf ${fmtBytes(sndbuf!)} (the BDP measured while limited is only a lower bound); ${sndDiagnosis.cause}: ${sndDiagnosis.fix}`;
    else if (below.length === 0) verdict = `${which || 'buffers'} ${which.includes(' and ') || !which ? 'fit' : 'fits'} the BDP`;
    else if (measuredHere && judged)
      verdict = `${below.join(' and ')} below 2 x BDP but not limiting now (rwnd-limited ${pctText(rwnd ?? 0)}${sndl != null ? `, sndbuf-limited ${pctText(sndl)}` : ''} of busy time)`;
    else if (measuredHere)
      verdict = `${below.join(' and ')} below 2 x BDP; too little busy time (${Math.round((senderInfo?.busyUs ?? 0) / 1000)} ms, bufferMinBusyMs ${Math.round(limits.minBusyUs / 1000)}) to tell whether it limits`;
    else {
      // Receiving from a remote sender: only the sender measures rwnd_limited.
      const d = receiveBufferDiagnosis(s, bdp, sizing, caps, rttMs, rate);
      verdict = `rcvbuf below 2 x BDP (whether it limits shows on the sender, in its rwnd_limited: sockscope buffers there)${d ? `; ${d.cause}: ${d.fix}` : ''}`;
    }
  }
  // An app-limited or old sample is said before the verdict: the rate column shows it, and it is not what the connection does now.
  if (appLimited && !stale)
    verdict =
      `the delivery rate ${fmtBitRate(rate!)} is an app-limited sample, not the connection's rate: the application had too little data queued to fill the path when it was taken (tcp_info delivery_rate_app_limited); ` +
      `${appLimited.averageRate != null ? `BDP from the average instead, ${fmtBitRate(appLimited.averageRate)} over its busy time (bytes_acked / busy time), and no buffer size derived from it` : 'no average (bytes_acked or busy time unknown), so no BDP and no buffer size'}; ${verdict}`;
  if (burst)
    verdict = `the delivery rate ${fmtBitRate(rate!)} is a burst sample: its BDP (${fmtBytes(burst.sampleBdp)}) is more than the receiver's whole buffer (${fmtBytes(burst.cap)}), which an rwnd-limited sender never has in flight; the BDP bound is from the average over its busy time instead, ${fmtBitRate(basisRate!)} (bytes_acked / busy time); ${verdict}`;
  if (stale)
    verdict =
      `the delivery rate ${fmtBitRate(rate!)} is an old sample, not the current rate: the sender has sent no data for ${fmtSeconds(stale.sinceMs / 1000)} while ${fmtBytes(stale.waiting)} wait${stale.zeroWindow ? ' (zero window: persist timer)' : ''}` +
      `${stale.averageRate != null ? `; on average ${fmtBitRate(stale.averageRate)} over its busy time (bytes_acked / busy time)` : ''}; ${verdict}`;
  const rateSample: NonNullable<ConnectionBuffers['rateSample']> = [...(stale ? ['stale' as const] : []), ...(appLimited ? ['app-limited' as const] : [])];
  return {
    local: fmtEndpoint(s.local),
    peer: fmtEndpoint(s.peer),
    state: s.state,
    processes: s.processes.map((p) => ({ pid: p.pid, name: p.name })),
    rttMs,
    rttSource,
    deliveryRate: rate,
    bandwidthBasis: basisRate,
    basis: targetBytesPerSecond != null ? 'target' : basisRate != null ? (receiving ? 'peer-delivery-rate' : 'delivery-rate') : 'unknown',
    bdpBytes: bdp,
    bdpLowerBound: lowerBound,
    rcvbuf,
    sndbuf,
    rwndLimitedPct: rwnd,
    sndbufLimitedPct: sndl,
    recommendedRcvbuf: recommended,
    recommendedSndbuf: recommended,
    verdict,
    ...(rateSample.length ? { rateSample } : {}),
  };
}

type TcpInfoLike = { busyUs?: number };

/**
 * The rtt the window must cover: the sender's. A socket that sends has its own (tcpi_rtt, from the ACKs of its
 * data); a receiver with a local sender borrows that sender's. A receiver whose sender is elsewhere (`noSender`:
 * no rate measured here or on a local peer) has a tcpi_rtt from the handshake alone, unless it sends too: review
 * s25 measured 0.024 ms there while its rcv_rtt (tcpi_rcv_rtt, the receiver's estimate from the data arriving)
 * was 56-68 ms and the sender's rtt 65 ms, so its BDP was 2,800 times too small. Such a receiver, having received
 * more than it sent, uses rcv_rtt when that is larger.
 */
function chooseRtt(ti: Socket['tcpInfo'], pti: Socket['tcpInfo'], receiving: boolean, noSender: boolean): { rttUs: number | undefined; rttSource: ConnectionBuffers['rttSource'] } {
  if (receiving && pti?.rttUs != null) return { rttUs: pti.rttUs, rttSource: 'peer-rtt' };
  const rcv = ti?.rcvRttUs;
  if (noSender && ti && rcv != null && rcv > (ti.rttUs ?? 0) && (ti.bytesReceived ?? 0) > (ti.bytesSent ?? 0)) return { rttUs: rcv, rttSource: 'rcv-rtt' };
  if (ti?.rttUs != null) return { rttUs: ti.rttUs, rttSource: 'rtt' };
  if (pti?.rttUs != null) return { rttUs: pti.rttUs, rttSource: 'peer-rtt' };
  return { rttUs: undefined, rttSource: null };
}

/** Finds the other end of a connection when it is also on this host (same 4-tuple reversed); index built once. */
export function localPeerFinder(sockets: readonly Socket[]): (s: Socket) => Socket | undefined {
  const byTuple = new Map<string, Socket>();
  for (const x of sockets) if (x.protocol === 'tcp' && x.state !== 'LISTEN') byTuple.set(`${x.local.address}|${x.local.port}|${x.peer.address}|${x.peer.port}`, x);
  return (s) => {
    if (s.protocol !== 'tcp') return undefined;
    const peer = byTuple.get(`${s.peer.address}|${s.peer.port}|${s.local.address}|${s.local.port}`);
    return peer === s ? undefined : peer;
  };
}

// Pure parsers for the tcp_info (linux/tcp.h) and skmeminfo (linux/sock_diag.h) attributes of a sock_diag reply.
import type { SkMem, TcpInfo } from '../model/socket.js';
import { u64 } from './netlink-frame.js';

/** Byte offsets of the struct tcp_info fields sockscope reads. Older kernels send a shorter struct. */
export const TCP_INFO_OFFSETS = {
  state: 0,
  caState: 1,
  retransmits: 2,
  options: 5,
  wscale: 6,
  /** tcpi_delivery_rate_app_limited:1 (low bit), tcpi_fastopen_client_fail:2 (Linux 4.9+; padding before). */
  appLimited: 7,
  rto: 8,
  ato: 12,
  sndMss: 16,
  rcvMss: 20,
  unacked: 24,
  retrans: 36,
  lastDataSent: 44,
  lastDataRecv: 52,
  lastAckRecv: 56,
  pmtu: 60,
  rcvSsthresh: 64,
  rtt: 68,
  rttvar: 72,
  sndSsthresh: 76,
  sndCwnd: 80,
  advmss: 84,
  reordering: 88,
  rcvRtt: 92,
  rcvSpace: 96,
  totalRetrans: 100,
  pacingRate: 104,
  maxPacingRate: 112,
  bytesAcked: 120,
  bytesReceived: 128,
  segsOut: 136,
  segsIn: 140,
  notsentBytes: 144,
  minRtt: 148,
  dataSegsIn: 152,
  dataSegsOut: 156,
  deliveryRate: 160,
  busyTime: 168,
  rwndLimited: 176,
  sndbufLimited: 184,
  delivered: 192,
  deliveredCe: 196,
  bytesSent: 200,
  bytesRetrans: 208,
  dsackDups: 216,
  reordSeen: 220,
  rcvOoopack: 224,
  sndWnd: 228,
  rcvWnd: 232,
} as const;

/**
 * tcpi_options bit for window scaling (linux/tcp.h TCPI_OPT_WSCALE). Without it the kernel leaves both
 * scales 0 (tcp_get_info fills them only when rx_opt.wscale_ok) and ss prints no wscale.
 */
const TCPI_OPT_WSCALE = 4;

/** TCP_INFINITE_SSTHRESH and friends: ss hides ssthresh at or above 0xFFFF, and so do we. */
const SSTHRESH_SHOWN_BELOW = 0xffff;

/** A struct tcp_info this long holds every field sockscope reads (Linux 4.10 on send 224 bytes or more). */
const FULL_TCP_INFO = TCP_INFO_OFFSETS.bytesSent + 8;

/**
 * Parses struct tcp_info of `len` bytes at `off`, with the congestion-control name of the same reply
 * (INET_DIAG_CONG) when there is one. Each field is read only when the struct the kernel sent is long
 * enough to hold it (kernels before 4.x send fewer fields); under 8 bytes only the name, if any.
 */
export function parseTcpInfo(dv: DataView, off: number, len: number, congestion?: string): TcpInfo | undefined {
  if (len < 8) return congestion === undefined ? undefined : { congestion };
  const info = len >= FULL_TCP_INFO ? fullTcpInfo(dv, off) : partialTcpInfo(dv, off, len);
  // Appended rather than in the literal: both are often absent (loopback ssthresh is infinite).
  const ssthresh = len >= TCP_INFO_OFFSETS.sndSsthresh + 4 ? dv.getUint32(off + TCP_INFO_OFFSETS.sndSsthresh, true) : SSTHRESH_SHOWN_BELOW;
  if (ssthresh < SSTHRESH_SHOWN_BELOW) info.ssthresh = ssthresh;
  // tcpi_rcv_rtt: 0 until the receiver has measured one (ss then prints no rcv_rtt), left out then as ss does.
  const rcvRtt = len >= TCP_INFO_OFFSETS.rcvRtt + 4 ? dv.getUint32(off + TCP_INFO_OFFSETS.rcvRtt, true) : 0;
  if (rcvRtt > 0) info.rcvRttUs = rcvRtt;
  // tcpi_rcv_ooopack and tcpi_snd_wnd (both Linux 5.4+): each only when the kernel sent that far. rcv_ooopack is
  // what inspect-options' SO_RCVBUF verdict needs from the kernel view (interpret-option-buffers.ts).
  if (len >= TCP_INFO_OFFSETS.rcvOoopack + 4) info.rcvOoopack = dv.getUint32(off + TCP_INFO_OFFSETS.rcvOoopack, true);
  if (len >= TCP_INFO_OFFSETS.sndWnd + 4) info.sndWnd = dv.getUint32(off + TCP_INFO_OFFSETS.sndWnd, true);
  // tcpi_rcv_wnd (Linux 6.2+): the window this end advertises; 0 when its receive queue shut it (queues.ts).
  if (len >= TCP_INFO_OFFSETS.rcvWnd + 4) info.rcvWnd = dv.getUint32(off + TCP_INFO_OFFSETS.rcvWnd, true);
  if (congestion !== undefined) info.congestion = congestion;
  return info;
}

/**
 * A whole struct as one object literal: V8 then keeps every field inside the object. Built field by
 * field (partialTcpInfo), a detailed dump of 7,500 sockets allocated a growing property store per socket.
 */
function fullTcpInfo(dv: DataView, off: number): TcpInfo {
  const O = TCP_INFO_OFFSETS;
  const ws = dv.getUint8(off + O.wscale);
  return {
    sndWscale: ws & 0x0f,
    rcvWscale: ws >> 4,
    windowScaling: (dv.getUint8(off + O.options) & TCPI_OPT_WSCALE) !== 0,
    rtoMs: dv.getUint32(off + O.rto, true) / 1000,
    mss: dv.getUint32(off + O.sndMss, true),
    retrans: dv.getUint32(off + O.retrans, true),
    lastSendMs: dv.getUint32(off + O.lastDataSent, true),
    lastRecvMs: dv.getUint32(off + O.lastDataRecv, true),
    lastAckMs: dv.getUint32(off + O.lastAckRecv, true),
    rttUs: dv.getUint32(off + O.rtt, true),
    rttVarUs: dv.getUint32(off + O.rttvar, true),
    cwnd: dv.getUint32(off + O.sndCwnd, true),
    rcvSpace: dv.getUint32(off + O.rcvSpace, true),
    totalRetrans: dv.getUint32(off + O.totalRetrans, true),
    bytesAcked: u64(dv, off + O.bytesAcked),
    bytesReceived: u64(dv, off + O.bytesReceived),
    deliveryRate: u64(dv, off + O.deliveryRate),
    deliveryRateAppLimited: (dv.getUint8(off + O.appLimited) & 1) !== 0,
    busyUs: u64(dv, off + O.busyTime),
    rwndLimitedUs: u64(dv, off + O.rwndLimited),
    sndbufLimitedUs: u64(dv, off + O.sndbufLimited),
    bytesSent: u64(dv, off + O.bytesSent),
  };
}

/** The fields a shorter struct (an older kernel) holds, in the order fullTcpInfo makes them. */
function partialTcpInfo(dv: DataView, off: number, len: number): TcpInfo {
  const O = TCP_INFO_OFFSETS;
  const has = (field: number, size: number) => field + size <= len;
  const u32 = (field: number) => dv.getUint32(off + field, true);
  const info: TcpInfo = {};
  const ws = dv.getUint8(off + O.wscale);
  info.sndWscale = ws & 0x0f;
  info.rcvWscale = ws >> 4;
  info.windowScaling = (dv.getUint8(off + O.options) & TCPI_OPT_WSCALE) !== 0;
  if (has(O.rto, 4)) info.rtoMs = u32(O.rto) / 1000;
  if (has(O.sndMss, 4)) info.mss = u32(O.sndMss);
  if (has(O.retrans, 4)) info.retrans = u32(O.retrans);
  if (has(O.lastDataSent, 4)) info.lastSendMs = u32(O.lastDataSent);
  if (has(O.lastDataRecv, 4)) info.lastRecvMs = u32(O.lastDataRecv);
  if (has(O.lastAckRecv, 4)) info.lastAckMs = u32(O.lastAckRecv);
  if (has(O.rtt, 4)) info.rttUs = u32(O.rtt);
  if (has(O.rttvar, 4)) info.rttVarUs = u32(O.rttvar);
  if (has(O.sndCwnd, 4)) info.cwnd = u32(O.sndCwnd);
  if (has(O.rcvSpace, 4)) info.rcvSpace = u32(O.rcvSpace);
  if (has(O.totalRetrans, 4)) info.totalRetrans = u32(O.totalRetrans);
  if (has(O.bytesAcked, 8)) info.bytesAcked = u64(dv, off + O.bytesAcked);
  if (has(O.bytesReceived, 8)) info.bytesReceived = u64(dv, off + O.bytesReceived);
  if (has(O.deliveryRate, 8)) {
    info.deliveryRate = u64(dv, off + O.deliveryRate);
    // The bit came with tcpi_delivery_rate (4.9); a struct without the rate has padding there.
    info.deliveryRateAppLimited = (dv.getUint8(off + O.appLimited) & 1) !== 0;
  }
  if (has(O.busyTime, 8)) info.busyUs = u64(dv, off + O.busyTime);
  if (has(O.rwndLimited, 8)) info.rwndLimitedUs = u64(dv, off + O.rwndLimited);
  if (has(O.sndbufLimited, 8)) info.sndbufLimitedUs = u64(dv, off + O.sndbufLimited);
  return info;
}

/** Parses the u32[SK_MEMINFO_VARS] array of INET_DIAG_SKMEMINFO / UNIX_DIAG_MEMINFO; undefined under 16 bytes. */
export function parseSkMemInfo(dv: DataView, off: number, len: number): SkMem | undefined {
  if (len < 16) return undefined;
  const n = len >>> 2;
  return {
    rmemAlloc: dv.getUint32(off, true),
    rcvbuf: dv.getUint32(off + 4, true),
    wmemAlloc: dv.getUint32(off + 8, true),
    sndbuf: dv.getUint32(off + 12, true),
    fwdAlloc: n > 4 ? dv.getUint32(off + 16, true) : undefined,
    wmemQueued: n > 5 ? dv.getUint32(off + 20, true) : undefined,
    optmem: n > 6 ? dv.getUint32(off + 24, true) : undefined,
    backlog: n > 7 ? dv.getUint32(off + 28, true) : undefined,
    drops: n > 8 ? dv.getUint32(off + 32, true) : undefined,
  };
}

/** The last string readCString made and its bytes: every socket of a dump names the same few algorithms. */
let lastCString = { bytes: new Uint8Array(0), text: '' };

/** Reads a NUL-terminated (or length-bounded) ASCII string attribute. */
export function readCString(buf: Uint8Array, off: number, len: number): string {
  let end = off;
  const stop = off + len;
  while (end < stop && buf[end] !== 0) end++;
  const n = end - off;
  const last = lastCString.bytes;
  if (last.length === n) {
    let i = 0;
    while (i < n && buf[off + i] === last[i]) i++;
    if (i === n) return lastCString.text;
  }
  // A copy: the receive buffer is refilled by the next chunk (and Buffer#slice would be a view).
  const bytes = Uint8Array.prototype.slice.call(buf, off, end);
  const text = Buffer.from(bytes.buffer, 0, n).toString('latin1');
  lastCString = { bytes, text };
  return text;
}

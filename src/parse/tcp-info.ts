// Pure parsers for the tcp_info (linux/tcp.h) and skmeminfo (linux/sock_diag.h) attributes of a sock_diag reply.
import type { SkMem, TcpInfo } from '../model/socket.js';
import { u64 } from './netlink-frame.js';

/** Byte offsets of the struct tcp_info fields sockscope reads. Older kernels send a shorter struct. */
export const TCP_INFO_OFFSETS = {
  state: 0,
  caState: 1,
  retransmits: 2,
  wscale: 6,
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
} as const;

/** TCP_INFINITE_SSTHRESH and friends: ss hides ssthresh at or above 0xFFFF, and so do we. */
const SSTHRESH_SHOWN_BELOW = 0xffff;

/**
 * Parses struct tcp_info of `len` bytes at `off`. Each field is read only when the struct the kernel
 * sent is long enough to hold it (kernels before 4.x send fewer fields); returns undefined under 8 bytes.
 */
export function parseTcpInfo(dv: DataView, off: number, len: number): TcpInfo | undefined {
  if (len < 8) return undefined;
  const O = TCP_INFO_OFFSETS;
  const has = (field: number, size: number) => field + size <= len;
  const u32 = (field: number) => dv.getUint32(off + field, true);
  const info: TcpInfo = {};
  const ws = dv.getUint8(off + O.wscale);
  info.sndWscale = ws & 0x0f;
  info.rcvWscale = ws >> 4;
  if (has(O.rto, 4)) info.rtoMs = u32(O.rto) / 1000;
  if (has(O.sndMss, 4)) info.mss = u32(O.sndMss);
  if (has(O.retrans, 4)) info.retrans = u32(O.retrans);
  if (has(O.lastDataSent, 4)) info.lastSendMs = u32(O.lastDataSent);
  if (has(O.lastDataRecv, 4)) info.lastRecvMs = u32(O.lastDataRecv);
  if (has(O.lastAckRecv, 4)) info.lastAckMs = u32(O.lastAckRecv);
  if (has(O.rtt, 4)) info.rttUs = u32(O.rtt);
  if (has(O.rttvar, 4)) info.rttVarUs = u32(O.rttvar);
  if (has(O.sndSsthresh, 4)) {
    const v = u32(O.sndSsthresh);
    if (v < SSTHRESH_SHOWN_BELOW) info.ssthresh = v;
  }
  if (has(O.sndCwnd, 4)) info.cwnd = u32(O.sndCwnd);
  if (has(O.rcvSpace, 4)) info.rcvSpace = u32(O.rcvSpace);
  if (has(O.totalRetrans, 4)) info.totalRetrans = u32(O.totalRetrans);
  if (has(O.bytesAcked, 8)) info.bytesAcked = u64(dv, off + O.bytesAcked);
  if (has(O.bytesReceived, 8)) info.bytesReceived = u64(dv, off + O.bytesReceived);
  if (has(O.deliveryRate, 8)) info.deliveryRate = u64(dv, off + O.deliveryRate);
  if (has(O.busyTime, 8)) info.busyUs = u64(dv, off + O.busyTime);
  if (has(O.rwndLimited, 8)) info.rwndLimitedUs = u64(dv, off + O.rwndLimited);
  if (has(O.sndbufLimited, 8)) info.sndbufLimitedUs = u64(dv, off + O.sndbufLimited);
  if (has(O.bytesSent, 8)) info.bytesSent = u64(dv, off + O.bytesSent);
  return info;
}

/** Parses the u32[SK_MEMINFO_VARS] array of INET_DIAG_SKMEMINFO / UNIX_DIAG_MEMINFO; undefined under 16 bytes. */
export function parseSkMemInfo(dv: DataView, off: number, len: number): SkMem | undefined {
  if (len < 16) return undefined;
  const at = (i: number) => (i * 4 + 4 <= len ? dv.getUint32(off + i * 4, true) : undefined);
  return {
    rmemAlloc: at(0)!,
    rcvbuf: at(1)!,
    wmemAlloc: at(2)!,
    sndbuf: at(3)!,
    fwdAlloc: at(4),
    wmemQueued: at(5),
    optmem: at(6),
    backlog: at(7),
    drops: at(8),
  };
}

/** Reads a NUL-terminated (or length-bounded) ASCII string attribute. */
export function readCString(buf: Uint8Array, off: number, len: number): string {
  let end = off;
  const stop = off + len;
  while (end < stop && buf[end] !== 0) end++;
  return Buffer.from(buf.buffer, buf.byteOffset + off, end - off).toString('latin1');
}

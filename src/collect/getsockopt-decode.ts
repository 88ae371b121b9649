// Pure decoding of getsockopt results: ints, struct linger, struct timeval, names and struct tcp_info (linux/tcp.h).
import { decodeUtf8 } from '../model/escape.js';
import { KERNEL_STATE_BY_NUMBER } from '../model/socket.js';
import type { OptionKind } from './getsockopt-options.js';

export interface LingerValue {
  onoff: boolean;
  seconds: number;
}
export interface TimevalValue {
  seconds: number;
  micros: number;
}

/** struct tcp_info, decoded field by field; fields the kernel did not fill (short optlen) are absent. */
export interface TcpInfoStruct {
  state: string;
  caState: string;
  retransmits: number;
  probes: number;
  backoff: number;
  options: string[];
  sndWscale: number;
  rcvWscale: number;
  rtoUs: number;
  atoUs: number;
  sndMss: number;
  rcvMss: number;
  unacked: number;
  sacked: number;
  lost: number;
  retrans: number;
  lastDataSentMs: number;
  lastAckSentMs: number;
  lastDataRecvMs: number;
  lastAckRecvMs: number;
  pmtu: number;
  rcvSsthresh: number;
  rttUs: number;
  rttVarUs: number;
  sndSsthresh: number;
  sndCwnd: number;
  advmss: number;
  reordering: number;
  rcvRttUs: number;
  rcvSpace: number;
  totalRetrans: number;
  /** Bytes per second; null when unlimited (the kernel's ~0). */
  pacingRate?: number | null;
  /** Bytes per second (SO_MAX_PACING_RATE); null when unlimited (the kernel's ~0, the default). */
  maxPacingRate?: number | null;
  bytesAcked?: number;
  bytesReceived?: number;
  segsOut?: number;
  segsIn?: number;
  notsentBytes?: number;
  minRttUs?: number;
  dataSegsIn?: number;
  dataSegsOut?: number;
  deliveryRate?: number;
  /** tcpi_delivery_rate_app_limited: the rate sample was taken with too little queued to fill the path (present with deliveryRate). */
  deliveryRateAppLimited?: boolean;
  busyTimeUs?: number;
  rwndLimitedUs?: number;
  sndbufLimitedUs?: number;
  delivered?: number;
  deliveredCe?: number;
  bytesSent?: number;
  bytesRetrans?: number;
  dsackDups?: number;
  reordSeen?: number;
  rcvOoopack?: number;
  sndWnd?: number;
  rcvWnd?: number;
  /** Bytes the kernel returned. */
  length: number;
}

export type DecodedValue = number | boolean | string | LingerValue | TimevalValue | TcpInfoStruct;

const CA_STATES = ['Open', 'Disorder', 'CWR', 'Recovery', 'Loss'];
const TCPI_OPTS: [number, string][] = [
  [1, 'timestamps'],
  [2, 'sack'],
  [4, 'wscale'],
  [8, 'ecn'],
  [16, 'ecn_seen'],
  [32, 'syn_data'],
  [64, 'usec_ts'],
];

/** Decodes `len` bytes of an option value of the given kind. */
export function decodeOption(kind: OptionKind, buf: Buffer, len: number): DecodedValue {
  switch (kind) {
    case 'bool':
      return len >= 4 ? buf.readInt32LE(0) !== 0 : buf[0] !== 0;
    case 'int':
      return len >= 4 ? buf.readInt32LE(0) : len >= 1 ? buf.readInt8(0) : 0;
    case 'uint':
      return len >= 4 ? buf.readUInt32LE(0) : len >= 1 ? buf[0] : 0;
    case 'linger':
      return { onoff: buf.readInt32LE(0) !== 0, seconds: buf.readInt32LE(4) };
    case 'timeval':
      return { seconds: Number(buf.readBigInt64LE(0)), micros: Number(buf.readBigInt64LE(8)) };
    case 'string': {
      // Interface (SO_BINDTODEVICE) and algorithm names: bytes the kernel took as given, so UTF-8 where
      // they are (latin1 showed "eé0" as "eÃ©0") and each other byte kept as \xNN (decodeUtf8).
      const end = buf.subarray(0, len).indexOf(0);
      return decodeUtf8(buf.subarray(0, end >= 0 ? end : len));
    }
    case 'tcp_info':
      return decodeTcpInfo(buf, len);
  }
}

/** Decodes struct tcp_info as laid out in linux/tcp.h (offsets fixed by the ABI). */
export function decodeTcpInfo(b: Buffer, len: number): TcpInfoStruct {
  const u32 = (o: number) => b.readUInt32LE(o);
  const u64 = (o: number): number | undefined => (len >= o + 8 ? Number(b.readBigUInt64LE(o)) : undefined);
  const opt = (o: number) => (len >= o + 4 ? u32(o) : undefined);
  const optsByte = b[5];
  const t: TcpInfoStruct = {
    state: KERNEL_STATE_BY_NUMBER[b[0]] ?? `state ${b[0]}`,
    caState: CA_STATES[b[1]] ?? String(b[1]),
    retransmits: b[2],
    probes: b[3],
    backoff: b[4],
    options: TCPI_OPTS.filter(([bit]) => (optsByte & bit) !== 0).map(([, n]) => n),
    sndWscale: b[6] & 0x0f,
    rcvWscale: b[6] >> 4,
    rtoUs: u32(8),
    atoUs: u32(12),
    sndMss: u32(16),
    rcvMss: u32(20),
    unacked: u32(24),
    sacked: u32(28),
    lost: u32(32),
    retrans: u32(36),
    lastDataSentMs: u32(44),
    lastAckSentMs: u32(48),
    lastDataRecvMs: u32(52),
    lastAckRecvMs: u32(56),
    pmtu: u32(60),
    rcvSsthresh: u32(64),
    rttUs: u32(68),
    rttVarUs: u32(72),
    sndSsthresh: u32(76),
    sndCwnd: u32(80),
    advmss: u32(84),
    reordering: u32(88),
    rcvRttUs: u32(92),
    rcvSpace: u32(96),
    totalRetrans: u32(100),
    length: len,
  };
  // Bytes per second like deliveryRate; ~0 (2^64-1, no pacing rate yet / no SO_MAX_PACING_RATE) is null:
  // unlimited, which a JSON number cannot hold exactly.
  const rate = (o: number): number | null | undefined => (len >= o + 8 ? (b.readBigUInt64LE(o) === 0xffffffffffffffffn ? null : Number(b.readBigUInt64LE(o))) : undefined);
  const pr = rate(104);
  const mpr = rate(112);
  if (pr !== undefined) t.pacingRate = pr;
  if (mpr !== undefined) t.maxPacingRate = mpr;
  t.bytesAcked = u64(120);
  t.bytesReceived = u64(128);
  t.segsOut = opt(136);
  t.segsIn = opt(140);
  t.notsentBytes = opt(144);
  t.minRttUs = opt(148);
  t.dataSegsIn = opt(152);
  t.dataSegsOut = opt(156);
  t.deliveryRate = u64(160);
  // The low bit of byte 7 (Linux 4.9+, the release that added tcpi_delivery_rate; padding before it).
  if (t.deliveryRate !== undefined) t.deliveryRateAppLimited = (b[7] & 1) !== 0;
  t.busyTimeUs = u64(168);
  t.rwndLimitedUs = u64(176);
  t.sndbufLimitedUs = u64(184);
  t.delivered = opt(192);
  t.deliveredCe = opt(196);
  t.bytesSent = u64(200);
  t.bytesRetrans = u64(208);
  t.dsackDups = opt(216);
  t.reordSeen = opt(220);
  t.rcvOoopack = opt(224);
  t.sndWnd = opt(228);
  t.rcvWnd = opt(232);
  for (const k of Object.keys(t) as (keyof TcpInfoStruct)[]) if (t[k] === undefined) delete t[k];
  return t;
}

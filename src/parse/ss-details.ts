// Pure parsing of the detail tokens `ss -i` and `ss -m` append to a socket's line: tcp_info's
// "cubic wscale:7,7 rto:204 rtt:0.03/0.015 ..." and skmem:(...). parseSsLine (ss-line.ts) finds where they
// start; the netlink collector reads the same fields from binary structs (tcp-info.ts).
import type { SkMem, TcpInfo } from '../model/socket.js';

/** The body of ss -m's skmem:(r0,rb131072,t0,tb2626560,f0,w0,o0,bl0,d0) as SkMem. */
export function parseSkmem(body: string): SkMem {
  const v: Record<string, number> = {};
  for (const part of body.split(',')) {
    const m = /^([a-z]+)(\d+)$/.exec(part);
    if (m) v[m[1]] = Number(m[2]);
  }
  return {
    rmemAlloc: v.r ?? 0,
    rcvbuf: v.rb ?? 0,
    wmemAlloc: v.t ?? 0,
    sndbuf: v.tb ?? 0,
    fwdAlloc: v.f,
    wmemQueued: v.w,
    optmem: v.o,
    backlog: v.bl,
    drops: v.d,
  };
}

const CONGESTION = new Set(['cubic', 'reno', 'bbr', 'bbr2', 'bbr3', 'dctcp', 'vegas', 'westwood', 'htcp', 'bic', 'highspeed', 'hybla', 'illinois', 'lp', 'nv', 'scalable', 'veno', 'yeah', 'cdg']);

/** Reads the tcp_info tokens ss -i prints into TcpInfo; returns undefined when none are present. */
export function parseSsTcpInfo(tokens: string[], from: number): TcpInfo | undefined {
  const info: TcpInfo = {};
  let any = false;
  let sndWndShown = false;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i];
    const c = t.indexOf(':');
    if (c < 0) {
      if (CONGESTION.has(t)) {
        info.congestion = t;
        any = true;
      } else if (t === 'delivery_rate' && i + 1 < tokens.length) {
        const bps = Number.parseFloat(tokens[++i]);
        if (Number.isFinite(bps)) info.deliveryRate = Math.round(bps / 8);
        any = true;
      } else if (t === 'app_limited') info.deliveryRateAppLimited = true;
      continue;
    }
    const k = t.slice(0, c);
    const v = t.slice(c + 1);
    switch (k) {
      case 'rtt': {
        const [rtt, rttvar] = v.split('/');
        info.rttUs = Math.round(Number(rtt) * 1000);
        if (rttvar !== undefined) info.rttVarUs = Math.round(Number(rttvar) * 1000);
        any = true;
        break;
      }
      case 'rto':
        info.rtoMs = Number(v);
        any = true;
        break;
      case 'cwnd':
        info.cwnd = Number(v);
        any = true;
        break;
      case 'ssthresh':
        info.ssthresh = Number(v);
        break;
      case 'mss':
        info.mss = Number(v);
        break;
      case 'retrans': {
        const [cur, total] = v.split('/');
        info.retrans = Number(cur);
        info.totalRetrans = Number(total ?? cur);
        any = true;
        break;
      }
      case 'bytes_acked':
        info.bytesAcked = Number(v);
        break;
      case 'bytes_received':
        info.bytesReceived = Number(v);
        break;
      case 'bytes_sent':
        info.bytesSent = Number(v);
        break;
      case 'rwnd_limited':
        info.rwndLimitedUs = Math.round(Number.parseFloat(v) * 1000);
        break;
      case 'sndbuf_limited':
        info.sndbufLimitedUs = Math.round(Number.parseFloat(v) * 1000);
        break;
      case 'busy':
        info.busyUs = Math.round(Number.parseFloat(v) * 1000);
        break;
      case 'lastsnd':
        info.lastSendMs = Number(v);
        break;
      case 'lastrcv':
        info.lastRecvMs = Number(v);
        break;
      case 'lastack':
        info.lastAckMs = Number(v);
        break;
      case 'rcv_space':
        info.rcvSpace = Number(v);
        break;
      case 'rcv_rtt':
        // Milliseconds (tcpi_rcv_rtt / 1000), printed only when not 0.
        if (Number.isFinite(Number(v))) info.rcvRttUs = Math.round(Number(v) * 1000);
        break;
      case 'rcv_ooopack':
        info.rcvOoopack = Number(v);
        break;
      case 'snd_wnd':
        sndWndShown = true;
        break;
      case 'wscale': {
        const [snd, rcv] = v.split(',');
        info.sndWscale = Number(snd);
        info.rcvWscale = Number(rcv);
        info.windowScaling = true;
        break;
      }
    }
  }
  // ss prints wscale:a,b among the tcp_info options only with TCPI_OPT_WSCALE: printed tcp_info without it
  // is scaling not negotiated, where the kernel (and so netlink) reports both scales as 0.
  if (any && info.windowScaling === undefined) {
    info.sndWscale = 0;
    info.rcvWscale = 0;
    info.windowScaling = false;
  }
  // ss prints rcv_ooopack only when not 0, and only a version that knows it (iproute2 5.4, with snd_wnd, which it
  // prints when not 0 too): with snd_wnd shown and no rcv_ooopack, none arrived out of order.
  if (info.rcvOoopack === undefined && sndWndShown) info.rcvOoopack = 0;
  // ss prints app_limited only when tcpi_delivery_rate_app_limited is set: a rate without it was not.
  if (info.deliveryRate !== undefined && info.deliveryRateAppLimited === undefined) info.deliveryRateAppLimited = false;
  if (any && info.totalRetrans === undefined) {
    info.retrans = info.retrans ?? 0;
    info.totalRetrans = 0;
  }
  return any ? info : undefined;
}

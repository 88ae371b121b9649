import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  INET_DIAG_CONG,
  INET_DIAG_INFO,
  INET_DIAG_MSG_LEN,
  INET_DIAG_SKMEMINFO,
  IPPROTO_TCP,
  IPPROTO_UDP,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLM_F_DUMP_INTR,
  NLM_F_MULTI,
  SOCK_DIAG_BY_FAMILY,
  SocketReuse,
  TCPDIAG_GETSOCK,
  TCP_INFO_OFFSETS,
  buildInetDiagRequest,
  cookieString,
  formatIpv6Groups,
  parseInetDiagBuffer,
  parseInetDiagMsg,
  portFilterBytecode,
  runPortBytecode,
  walkAttrs,
  walkNetlink,
  type InetDiagContext,
} from '../../src/parse/inet-diag.js';
import type { Socket } from '../../src/model/socket.js';
import { PortAggregator } from '../../src/model/aggregate.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/netlink/${name}`, import.meta.url));
const manifest = JSON.parse(readFileSync(new URL('../fixtures/netlink/manifest.json', import.meta.url), 'utf8')) as Record<string, number | string>;

// ---- hand-built buffers ----

function nlmsg(type: number, payload: Buffer, flags = NLM_F_MULTI): Buffer {
  const len = 16 + payload.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt32LE(len, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(flags, 6);
  b.writeUInt32LE(7, 8);
  payload.copy(b, 16);
  return b;
}

function attr(type: number, data: Buffer): Buffer {
  const len = 4 + data.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt16LE(len, 0);
  b.writeUInt16LE(type, 2);
  data.copy(b, 4);
  return b;
}

interface MsgSpec {
  family?: number;
  state?: number;
  timer?: number;
  retrans?: number;
  sport?: number;
  dport?: number;
  src?: number[]; // 16 bytes
  dst?: number[];
  ifindex?: number;
  cookie?: [number, number];
  expires?: number;
  rqueue?: number;
  wqueue?: number;
  uid?: number;
  inode?: number;
  attrs?: Buffer[];
}

function diagMsg(m: MsgSpec): Buffer {
  const b = Buffer.alloc(INET_DIAG_MSG_LEN);
  b.writeUInt8(m.family ?? AF_INET, 0);
  b.writeUInt8(m.state ?? 1, 1);
  b.writeUInt8(m.timer ?? 0, 2);
  b.writeUInt8(m.retrans ?? 0, 3);
  b.writeUInt16BE(m.sport ?? 80, 4);
  b.writeUInt16BE(m.dport ?? 50000, 6);
  Buffer.from(m.src ?? [127, 0, 0, 1]).copy(b, 8);
  Buffer.from(m.dst ?? [127, 0, 0, 2]).copy(b, 24);
  b.writeUInt32LE(m.ifindex ?? 0, 40);
  b.writeUInt32LE((m.cookie ?? [42, 0])[0], 44);
  b.writeUInt32LE((m.cookie ?? [42, 0])[1], 48);
  b.writeUInt32LE(m.expires ?? 0, 52);
  b.writeUInt32LE(m.rqueue ?? 0, 56);
  b.writeUInt32LE(m.wqueue ?? 0, 60);
  b.writeUInt32LE(m.uid ?? 1000, 64);
  b.writeUInt32LE(m.inode ?? 12345, 68);
  return Buffer.concat([b, ...(m.attrs ?? [])]);
}

function done(err = 0): Buffer {
  const p = Buffer.alloc(4);
  p.writeInt32LE(err, 0);
  return nlmsg(NLMSG_DONE, p);
}

function tcpInfo(len: number, fields: Partial<Record<keyof typeof TCP_INFO_OFFSETS, number>>): Buffer {
  const b = Buffer.alloc(len);
  for (const [k, v] of Object.entries(fields)) {
    const off = TCP_INFO_OFFSETS[k as keyof typeof TCP_INFO_OFFSETS];
    if (k === 'wscale' || k === 'appLimited' || k === 'options' || k === 'state' || k === 'retransmits' || k === 'caState') b.writeUInt8(v!, off);
    else if (['bytesAcked', 'bytesReceived', 'deliveryRate', 'busyTime', 'rwndLimited', 'sndbufLimited', 'bytesSent', 'pacingRate', 'maxPacingRate', 'bytesRetrans'].includes(k)) b.writeBigUInt64LE(BigInt(v!), off);
    else if (off + 4 <= len) b.writeUInt32LE(v!, off);
  }
  return b;
}

const v6 = (text: string): number[] => {
  // tiny IPv6 text -> bytes for tests (full or :: form)
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => Number.parseInt(g, 16));
  return groups.flatMap((g) => [g >> 8, g & 255]);
};

test('walkNetlink: messages, NLMSG_DONE, NLMSG_ERROR, DUMP_INTR and a truncated tail', () => {
  const a = nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({}));
  const b = nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ sport: 81 }), NLM_F_MULTI | NLM_F_DUMP_INTR);
  const w = walkNetlink(Buffer.concat([a, b, done()]));
  assert.equal(w.messages.length, 2);
  assert.equal(w.done, true);
  assert.equal(w.error, 0);
  assert.equal(w.interrupted, true);
  assert.equal(w.messages[0].offset, 16);
  assert.equal(w.messages[0].length, INET_DIAG_MSG_LEN);

  const errPayload = Buffer.alloc(20);
  errPayload.writeInt32LE(-1, 0); // -EPERM
  const e = walkNetlink(Buffer.concat([a, nlmsg(NLMSG_ERROR, errPayload)]));
  assert.equal(e.error, -1);
  assert.equal(e.done, true);
  assert.equal(e.messages.length, 1);

  const failedDone = walkNetlink(done(-105)); // -ENOBUFS in NLMSG_DONE
  assert.equal(failedDone.done, true);
  assert.equal(failedDone.error, -105);

  const whole = Buffer.concat([a, b]);
  for (const cut of [1, 15, 16, 40, a.length + 3, whole.length - 1]) {
    const t = walkNetlink(whole.subarray(0, cut));
    assert.equal(t.done, false);
    assert.ok(t.trailing > 0, `cut at ${cut} leaves stray bytes`);
    assert.equal(t.messages.length, cut >= a.length ? 1 : 0);
  }
  // A header claiming less than its own size ends the walk instead of looping.
  const bad = Buffer.from(a);
  bad.writeUInt32LE(8, 0);
  assert.equal(walkNetlink(bad).messages.length, 0);
});

test('inet_diag_msg: ports big-endian, addresses, queues, uid, inode, cookie, timer', () => {
  const buf = nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ state: 8, sport: 8080, dport: 51234, src: [10, 1, 2, 3], dst: [192, 168, 0, 9], rqueue: 5, wqueue: 7, uid: 1001, inode: 99, timer: 2, expires: 7100, retrans: 1, cookie: [0xfffffffe, 3] }));
  const s = parseInetDiagMsg(buf, 16, buf.length - 16, { protocol: 'tcp' })!;
  assert.equal(s.state, 'CLOSE_WAIT');
  assert.deepEqual(s.local, { address: '10.1.2.3', port: 8080 });
  assert.deepEqual(s.peer, { address: '192.168.0.9', port: 51234 });
  assert.equal(s.recvQ, 5);
  assert.equal(s.sendQ, 7);
  assert.equal(s.uid, 1001);
  assert.equal(s.inode, 99);
  assert.equal(s.ipVersion, 4);
  assert.equal(s.cookie, String(3 * 2 ** 32 + 0xfffffffe));
  assert.deepEqual(s.timer, { name: 'keepalive', expiresMs: 7100, retrans: 1 });
  assert.equal(s.tcpInfo, undefined);
  assert.deepEqual(s.processes, []);
});

test('TIME_WAIT and NEW_SYN_RECV mini-sockets have no uid or inode; NEW_SYN_RECV shows as SYN_RECV', () => {
  const tw = nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ state: 6, timer: 3, expires: 59000, uid: 0, inode: 0 }));
  const s = parseInetDiagMsg(tw, 16, tw.length - 16, { protocol: 'tcp' })!;
  assert.equal(s.state, 'TIME_WAIT');
  assert.equal(s.uid, undefined);
  assert.equal(s.inode, undefined);
  assert.equal(s.timer?.name, 'timewait');
  const rq = nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ state: 12, timer: 1, uid: 0, inode: 0 }));
  assert.equal(parseInetDiagMsg(rq, 16, rq.length - 16, { protocol: 'tcp' })!.state, 'SYN_RECV');
});

test('IPv6: compression, ::1, ::, IPv4-mapped shown as IPv4, link-local scope from the interface index', () => {
  const ctx = { protocol: 'tcp' as const, interfaces: new Map([[2, 'eth0']]) };
  const a = nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ family: AF_INET6, src: v6('2001:db8::1'), dst: v6('::ffff:c0a8:0001') }));
  const s = parseInetDiagMsg(a, 16, a.length - 16, ctx)!;
  assert.equal(s.ipVersion, 6);
  assert.equal(s.local.address, '2001:db8::1');
  assert.equal(s.peer.address, '192.168.0.1');
  const b = nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ family: AF_INET6, src: v6('fe80::1'), dst: v6('::'), ifindex: 2 }));
  const t = parseInetDiagMsg(b, 16, b.length - 16, ctx)!;
  assert.deepEqual(t.local, { address: 'fe80::1', port: 80, scope: 'eth0' });
  assert.equal(t.peer.address, '::');
  assert.equal(t.boundDevice, 'eth0');
  const c = nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ family: AF_INET6, src: v6('::1'), dst: v6('::1'), ifindex: 9 }));
  const u = parseInetDiagMsg(c, 16, c.length - 16, ctx)!;
  assert.equal(u.local.address, '::1');
  assert.equal(u.local.scope, undefined, 'only link-local addresses get a scope');
  assert.equal(u.boundDevice, '9', 'an unknown interface index stays a number');
  assert.equal(formatIpv6Groups([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), '2001:db8::1:0:0:1');
  assert.equal(formatIpv6Groups([1, 0, 2, 0, 3, 0, 4, 0]), '1:0:2:0:3:0:4:0');
  assert.equal(formatIpv6Groups([0, 0, 0, 0, 0, 0, 0, 0]), '::');
  assert.equal(formatIpv6Groups([0xfe80, 0, 0, 0, 0, 0, 0, 0]), 'fe80::');
});

test('tcp_info: full struct, congestion name, skmeminfo; ssthresh hidden when "infinite"', () => {
  const info = tcpInfo(232, { options: 7, wscale: 0x79, rto: 204000, sndMss: 1448, retrans: 2, rtt: 1234, rttvar: 600, sndSsthresh: 0x7fffffff, sndCwnd: 10, totalRetrans: 9, bytesAcked: 2 ** 40, bytesReceived: 77, deliveryRate: 125000, busyTime: 5, rwndLimited: 6, sndbufLimited: 7, bytesSent: 88, rcvSpace: 65483, lastDataSent: 11, lastDataRecv: 12, lastAckRecv: 13, rcvOoopack: 3, sndWnd: 64240 });
  const mem = Buffer.alloc(36);
  [1, 2, 3, 4, 5, 6, 7, 8, 9].forEach((v, i) => mem.writeUInt32LE(v, i * 4));
  const m = nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ attrs: [attr(INET_DIAG_SKMEMINFO, mem), attr(INET_DIAG_INFO, info), attr(INET_DIAG_CONG, Buffer.from('cubic\0'))] }));
  const s = parseInetDiagMsg(m, 16, m.length - 16, { protocol: 'tcp' })!;
  assert.deepEqual(s.tcpInfo, {
    sndWscale: 9,
    rcvWscale: 7,
    windowScaling: true,
    rtoMs: 204,
    mss: 1448,
    retrans: 2,
    lastSendMs: 11,
    lastRecvMs: 12,
    lastAckMs: 13,
    rttUs: 1234,
    rttVarUs: 600,
    cwnd: 10,
    rcvSpace: 65483,
    totalRetrans: 9,
    bytesAcked: 2 ** 40,
    bytesReceived: 77,
    deliveryRate: 125000,
    deliveryRateAppLimited: false,
    busyUs: 5,
    rwndLimitedUs: 6,
    sndbufLimitedUs: 7,
    bytesSent: 88,
    rcvOoopack: 3,
    sndWnd: 64240,
    congestion: 'cubic',
  });
  assert.deepEqual(s.skmem, { rmemAlloc: 1, rcvbuf: 2, wmemAlloc: 3, sndbuf: 4, fwdAlloc: 5, wmemQueued: 6, optmem: 7, backlog: 8, drops: 9 });
});

test('tcp_info: window scaling in use only with tcpi_options TCPI_OPT_WSCALE (4), full and older structs', () => {
  const parse = (len: number, fields: Parameters<typeof tcpInfo>[1]) => {
    const m = nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ attrs: [attr(INET_DIAG_INFO, tcpInfo(len, fields))] }));
    return parseInetDiagMsg(m, 16, m.length - 16, { protocol: 'tcp' })!.tcpInfo!;
  };
  for (const len of [232, 104]) {
    // Negotiated with scale 0 on both sides (a small SO_RCVBUF): ts, sack, wscale.
    assert.deepEqual(((t) => [t.windowScaling, t.sndWscale, t.rcvWscale])(parse(len, { options: 7, wscale: 0 })), [true, 0, 0], `len ${len}`);
    // Not negotiated (tcp_window_scaling=0 at one end): ts and sack only; the kernel leaves both scales 0.
    assert.deepEqual(((t) => [t.windowScaling, t.sndWscale, t.rcvWscale])(parse(len, { options: 3, wscale: 0 })), [false, 0, 0], `len ${len}`);
  }
});

test('tcp_info: tcpi_delivery_rate_app_limited is the low bit of byte 7 (fastopen_client_fail is the next two), read with the rate only', () => {
  const parse = (len: number, fields: Parameters<typeof tcpInfo>[1]) => {
    const m = nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ attrs: [attr(INET_DIAG_INFO, tcpInfo(len, fields))] }));
    return parseInetDiagMsg(m, 16, m.length - 16, { protocol: 'tcp' })!.tcpInfo!;
  };
  assert.equal(TCP_INFO_OFFSETS.appLimited, 7);
  for (const len of [232, 207, 168]) {
    assert.equal(parse(len, { deliveryRate: 16370750000, appLimited: 1, wscale: 0xaa }).deliveryRateAppLimited, true, `len ${len}`);
    // tcpi_fastopen_client_fail (bits 1-2) alone is not app-limited.
    assert.equal(parse(len, { deliveryRate: 1000, appLimited: 0b110 }).deliveryRateAppLimited, false, `len ${len}`);
    assert.equal(parse(len, { deliveryRate: 1000, appLimited: 0b111 }).deliveryRateAppLimited, true, `len ${len}`);
  }
  // A struct without tcpi_delivery_rate (before 4.9) has padding in byte 7: not read.
  assert.equal(parse(160, { appLimited: 1 }).deliveryRateAppLimited, undefined);
  assert.equal(parse(104, { appLimited: 1 }).deliveryRateAppLimited, undefined);
});

test('tcp_info from an older kernel (104 bytes: up to total_retrans) reads what is there and nothing past it', () => {
  const info = tcpInfo(104, { rtt: 500, sndCwnd: 4, totalRetrans: 3, sndSsthresh: 20 });
  const m = nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ attrs: [attr(INET_DIAG_INFO, info)] }));
  const s = parseInetDiagMsg(m, 16, m.length - 16, { protocol: 'tcp' })!;
  assert.equal(s.tcpInfo!.rttUs, 500);
  assert.equal(s.tcpInfo!.cwnd, 4);
  assert.equal(s.tcpInfo!.ssthresh, 20);
  assert.equal(s.tcpInfo!.totalRetrans, 3);
  assert.equal(s.tcpInfo!.bytesAcked, undefined);
  assert.equal(s.tcpInfo!.deliveryRate, undefined);
  // 70 bytes: rtt (68..72) does not fit.
  const short = nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ attrs: [attr(INET_DIAG_INFO, tcpInfo(70, { rto: 3000, sndMss: 536 }))] }));
  const t = parseInetDiagMsg(short, 16, short.length - 16, { protocol: 'tcp' })!;
  assert.equal(t.tcpInfo!.mss, 536);
  assert.equal(t.tcpInfo!.rttUs, undefined);
  // Too short to be a tcp_info at all.
  const tiny = nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ attrs: [attr(INET_DIAG_INFO, Buffer.alloc(4))] }));
  assert.equal(parseInetDiagMsg(tiny, 16, tiny.length - 16, { protocol: 'tcp' })!.tcpInfo, undefined);
});

test('tcp_info: the whole-struct literal reads the same fields as the field-by-field path of a shorter struct', () => {
  const fields = { wscale: 0x58, rto: 201000, sndMss: 32768, retrans: 1, rtt: 77, rttvar: 30, sndSsthresh: 40, sndCwnd: 12, totalRetrans: 4, bytesAcked: 3 * 2 ** 33 + 5, bytesReceived: 6, deliveryRate: 7, busyTime: 8, rwndLimited: 9, sndbufLimited: 10, bytesSent: 11, rcvSpace: 12, lastDataSent: 13, lastDataRecv: 14, lastAckRecv: 15, rcvOoopack: 17, sndWnd: 16 };
  const parse = (len: number) => {
    const m = nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ attrs: [attr(INET_DIAG_INFO, tcpInfo(232, fields).subarray(0, len))] }));
    return parseInetDiagMsg(m, 16, m.length - 16, { protocol: 'tcp' })!.tcpInfo!;
  };
  const whole = parse(232);
  // 207 bytes: everything but bytes_sent (200..208), rcv_ooopack (224..228) and snd_wnd (228..232), read field by field.
  const { bytesSent, rcvOoopack, sndWnd, ...rest } = whole;
  assert.equal(bytesSent, 11);
  assert.equal(rcvOoopack, 17);
  assert.equal(sndWnd, 16);
  assert.deepStrictEqual(parse(207), rest);
  assert.equal(whole.ssthresh, 40);
  assert.equal(whole.bytesAcked, 3 * 2 ** 33 + 5);
});

test('congestion-control names: each socket gets its own name, whatever the sockets before it had and whatever their buffer holds later', () => {
  const msg = (name: string) => nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ attrs: [attr(INET_DIAG_CONG, Buffer.from(`${name}\0`))] }));
  const names = ['cubic', 'cubic', 'bbr', 'bbr2', 'bbr', 'cub', 'cubic', 'reno'];
  const buf = Buffer.concat([...names.map(msg), done()]);
  const r = parseInetDiagBuffer(buf, buf.length, { protocol: 'tcp' });
  assert.deepEqual(r.sockets.map((s) => s.tcpInfo?.congestion), names);
  // The buffer a name came from is reused by the next receive: the name read from it must not change.
  const a = msg('cubic');
  const first = parseInetDiagMsg(a, 16, a.length - 16, { protocol: 'tcp' })!.tcpInfo!.congestion;
  a.fill(0, 16 + INET_DIAG_MSG_LEN + 4);
  a.write('vegas', 16 + INET_DIAG_MSG_LEN + 4, 'latin1');
  const b = msg('vegas');
  assert.equal(first, 'cubic');
  assert.equal(parseInetDiagMsg(b, 16, b.length - 16, { protocol: 'tcp' })!.tcpInfo!.congestion, 'vegas');
  const empty = msg('');
  assert.equal(parseInetDiagMsg(empty, 16, empty.length - 16, { protocol: 'tcp' })!.tcpInfo, undefined, 'an empty name is no tcp_info');
});

test('truncated payloads and attributes: short message skipped, broken attribute ends the walk', () => {
  const short = nlmsg(SOCK_DIAG_BY_FAMILY, Buffer.alloc(40));
  const both = Buffer.concat([short, done()]);
  const r = parseInetDiagBuffer(both, both.length, { protocol: 'tcp' });
  assert.equal(r.sockets.length, 0);
  assert.equal(r.skipped, 1);
  assert.equal(r.done, true);
  // An attribute whose length runs past the message: the socket is kept, the attribute ignored.
  const broken = attr(INET_DIAG_INFO, Buffer.alloc(8));
  broken.writeUInt16LE(200, 0);
  const m = nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ attrs: [broken] }));
  const s = parseInetDiagMsg(m, 16, m.length - 16, { protocol: 'tcp' })!;
  assert.equal(s.tcpInfo, undefined);
  assert.equal(s.local.port, 80);
  const dv = new DataView(m.buffer, m.byteOffset, m.length);
  assert.deepEqual(walkAttrs(dv, 16 + INET_DIAG_MSG_LEN, m.length), []);
  // Unknown family or state: skipped.
  const odd = nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ family: 99 }));
  assert.equal(parseInetDiagMsg(odd, 16, odd.length - 16, { protocol: 'tcp' }), null);
  assert.equal(parseInetDiagMsg(odd, 16, 10, { protocol: 'tcp' }), null);
});

test('request: inet_diag_req_v2 layout, extension bits only with details, port bytecode', () => {
  const plain = buildInetDiagRequest({ family: AF_INET6, protocol: IPPROTO_UDP, seq: 9 });
  assert.equal(plain.length, 16 + 56);
  assert.equal(plain.readUInt32LE(0), plain.length);
  assert.equal(plain.readUInt16LE(4), SOCK_DIAG_BY_FAMILY);
  assert.equal(plain.readUInt16LE(6), 0x301);
  assert.equal(plain.readUInt32LE(8), 9);
  assert.equal(plain[16], AF_INET6);
  assert.equal(plain[17], IPPROTO_UDP);
  assert.equal(plain[18], 0, 'no extensions unless details are asked for');
  assert.equal(plain.readUInt32LE(20), 0x1ffe);
  assert.equal(plain.readUInt32LE(16 + 8 + 40), 0xffffffff, 'INET_DIAG_NOCOOKIE');
  const det = buildInetDiagRequest({ family: AF_INET, protocol: IPPROTO_TCP, details: true, port: 443 });
  assert.equal(det[18], (1 << 1) | (1 << 6) | (1 << 3), 'INFO, SKMEMINFO, CONG');
  assert.equal(det.readUInt16LE(16 + 56 + 2), 1, 'INET_DIAG_REQ_BYTECODE');
  assert.equal(det.readUInt16LE(16 + 56), 4 + 16);
  // Both families: struct inet_diag_req (60 bytes) in a TCPDIAG_GETSOCK request, same ext/states/bytecode.
  const both = buildInetDiagRequest({ family: AF_UNSPEC, protocol: IPPROTO_TCP, details: true, port: 443, seq: 3 });
  assert.equal(both.length, 16 + 60 + 4 + 16);
  assert.equal(both.readUInt32LE(0), both.length);
  assert.equal(both.readUInt16LE(4), TCPDIAG_GETSOCK);
  assert.equal(both.readUInt16LE(6), 0x301);
  assert.equal(both.readUInt32LE(8), 3);
  assert.equal(both[19], (1 << 1) | (1 << 6) | (1 << 3), 'idiag_ext after family, src_len, dst_len');
  assert.equal(both.readUInt32LE(16 + 4 + 40), 0xffffffff, 'INET_DIAG_NOCOOKIE');
  assert.equal(both.readUInt32LE(16 + 52), 0x1ffe, 'idiag_states after the 48-byte id');
  assert.equal(both.readUInt16LE(16 + 60 + 2), 1, 'INET_DIAG_REQ_BYTECODE after the 60-byte request');
  assert.deepEqual(both.subarray(16 + 60 + 4), det.subarray(16 + 56 + 4));
  assert.throws(() => buildInetDiagRequest({ family: AF_UNSPEC, protocol: IPPROTO_UDP }), /TCP only/);
});

test('replies to the first interface (TCPDIAG_GETSOCK) parse as SOCK_DIAG_BY_FAMILY ones do', () => {
  const msg = Buffer.alloc(16 + 72);
  msg.writeUInt32LE(msg.length, 0);
  msg.writeUInt16LE(TCPDIAG_GETSOCK, 4);
  msg.writeUInt8(AF_INET6, 16);
  msg.writeUInt8(10, 17); // LISTEN
  msg.writeUInt16BE(8443, 20);
  msg.writeUInt8(1, 16 + 8 + 15); // ::1
  msg.writeUInt32LE(4242, 16 + 68);
  const r = parseInetDiagBuffer(msg, msg.length, { protocol: 'tcp' });
  assert.equal(r.skipped, 0);
  assert.equal(r.sockets.length, 1);
  assert.equal(r.sockets[0].local.address, '::1');
  assert.equal(r.sockets[0].local.port, 8443);
  assert.equal(r.sockets[0].state, 'LISTEN');
  assert.equal(r.sockets[0].inode, 4242);
});

test('port bytecode accepts exactly the asked ports (local, peer, either)', () => {
  const local = portFilterBytecode(443)!;
  assert.equal(runPortBytecode(local, 443, 1), true);
  assert.equal(runPortBytecode(local, 442, 443), false);
  assert.equal(runPortBytecode(local, 444, 1), false);
  const peer = portFilterBytecode(undefined, 5432)!;
  assert.equal(runPortBytecode(peer, 1, 5432), true);
  assert.equal(runPortBytecode(peer, 5432, 1), false);
  const either = portFilterBytecode(80, 5432)!;
  assert.equal(runPortBytecode(either, 80, 9), true);
  assert.equal(runPortBytecode(either, 9, 5432), true);
  assert.equal(runPortBytecode(either, 80, 5432), true);
  assert.equal(runPortBytecode(either, 81, 5431), false);
  assert.equal(portFilterBytecode(), null);
  // The kernel's audit: every "no" is a multiple of 4 and at most len + 4.
  for (const bc of [local, peer, either]) {
    for (let pc = 0; pc < bc.length; ) {
      const no = bc.readUInt16LE(pc + 2);
      assert.equal(no % 4, 0);
      assert.ok(no <= bc.length - pc + 4);
      pc += bc.readUInt8(pc + 1);
    }
  }
});

test('cookie text is exact beyond 2^53', () => {
  assert.equal(cookieString(5, 0), '5');
  assert.equal(cookieString(0xffffffff, 0xffffffff), '18446744073709551615');
});

// ---- captured from a real kernel (scripts/capture-netlink.ts) ----

test('capture: TCP over IPv4 — listener with backlog, unread bytes, CLOSE_WAIT and FIN_WAIT2 pair', () => {
  const buf = fixture('tcp4.bin');
  const r = parseInetDiagBuffer(buf, buf.length, { protocol: 'tcp' });
  assert.equal(r.done, true);
  assert.equal(r.error, 0);
  assert.equal(r.trailing, 0);
  const port = manifest.tcpPort as number;
  const listen = r.sockets.find((s) => s.state === 'LISTEN')!;
  assert.deepEqual(listen.local, { address: '127.0.0.1', port });
  assert.equal(listen.sendQ, 7, 'backlog');
  assert.equal(listen.uid, manifest.uid);
  assert.ok(listen.inode! > 0);
  const unread = r.sockets.find((s) => s.state === 'ESTABLISHED' && s.local.port === port)!;
  assert.equal(unread.recvQ, manifest.unreadBytes);
  assert.ok(r.sockets.some((s) => s.state === 'CLOSE_WAIT' && s.local.port === port));
  assert.ok(r.sockets.some((s) => s.state === 'FIN_WAIT2' && s.peer.port === port));
  assert.ok(r.sockets.every((s) => s.local.port === port || s.peer.port === port), 'the kernel applied the port filter');
  assert.equal(new Set(r.sockets.map((s) => s.cookie)).size, r.sockets.length);
});

test('capture: details — tcp_info rtt and cwnd, congestion name, skmem on every TCP socket', () => {
  const buf = fixture('tcp4-details.bin');
  const r = parseInetDiagBuffer(buf, buf.length, { protocol: 'tcp' });
  assert.equal(r.sockets.length, 5);
  for (const s of r.sockets) {
    assert.ok(s.tcpInfo, `${s.state} has tcp_info`);
    assert.ok(s.tcpInfo!.congestion && /^[a-z0-9_]+$/.test(s.tcpInfo!.congestion));
    assert.ok(s.skmem && s.skmem.rcvbuf > 0);
  }
  const est = r.sockets.filter((s) => s.state === 'ESTABLISHED');
  for (const s of est) {
    assert.ok(s.tcpInfo!.rttUs! > 0 && s.tcpInfo!.rttUs! < 1_000_000, 'loopback rtt is positive and small');
    assert.ok(s.tcpInfo!.cwnd! >= 1);
    assert.ok(s.tcpInfo!.mss! > 0);
  }
});

test('capture: accept queue — LISTEN Recv-Q counts connections waiting for accept()', () => {
  const buf = fixture('tcp4-queue.bin');
  const r = parseInetDiagBuffer(buf, buf.length, { protocol: 'tcp' });
  const l = r.sockets.find((s) => s.state === 'LISTEN')!;
  assert.equal(l.recvQ, 2);
  assert.equal(l.sendQ, 3);
  const waiting = r.sockets.filter((s) => s.state === 'ESTABLISHED');
  assert.equal(waiting.length, 2);
  assert.ok(waiting.every((s) => s.inode === 0), 'not yet accepted: no file, inode 0');
});

test('capture: TCP over IPv6 on ::1 and UDP over both families', () => {
  const t6 = fixture('tcp6-details.bin');
  const r6 = parseInetDiagBuffer(t6, t6.length, { protocol: 'tcp' });
  const l6 = r6.sockets.find((s) => s.state === 'LISTEN')!;
  assert.deepEqual(l6.local, { address: '::1', port: manifest.tcp6Port });
  assert.equal(l6.peer.address, '::');
  assert.equal(l6.ipVersion, 6);
  assert.equal(r6.sockets.filter((s) => s.state === 'ESTABLISHED').length, 2);

  const u4 = fixture('udp4.bin');
  const ru4 = parseInetDiagBuffer(u4, u4.length, { protocol: 'udp' });
  assert.equal(ru4.sockets.length, 1);
  assert.equal(ru4.sockets[0].protocol, 'udp');
  assert.equal(ru4.sockets[0].state, 'CLOSE');
  assert.deepEqual(ru4.sockets[0].local, { address: '127.0.0.1', port: manifest.udpPort });

  const u6 = fixture('udp6.bin');
  const ru6 = parseInetDiagBuffer(u6, u6.length, { protocol: 'udp' });
  const bound = ru6.sockets.find((s) => s.local.port === manifest.udp6Port)!;
  const connected = ru6.sockets.find((s) => s.peer.port === manifest.udp6Port)!;
  assert.equal(bound.state, 'CLOSE');
  assert.equal(connected.state, 'ESTABLISHED');
  assert.equal(connected.peer.address, '::1');
});

test('capture: every split point of a real dump yields whole sockets or a reported stray tail', () => {
  const buf = fixture('tcp4-details.bin');
  const full = parseInetDiagBuffer(buf, buf.length, { protocol: 'tcp' }).sockets.length;
  for (let cut = 0; cut < buf.length; cut += 7) {
    const r = parseInetDiagBuffer(buf.subarray(0, cut), cut, { protocol: 'tcp' });
    assert.ok(r.sockets.length <= full);
    assert.equal(r.done, false);
    for (const s of r.sockets) assert.ok(s.local.port > 0);
  }
});

test('SocketReuse: an unchanged TCP socket is the previous dump\'s object; any change the parser reads makes a new one', () => {
  const reuse = new SocketReuse();
  const ESTABLISHED = 1;
  const LISTEN = 10;
  const base = (cookie: number, m: MsgSpec = {}): Buffer => nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ state: ESTABLISHED, sport: 40000 + cookie, cookie: [cookie, 0], ...m }));
  let seen: boolean[] = [];
  let dropped: Socket[] = [];
  const dump = (msgs: Buffer[], ctx: InetDiagContext = { protocol: 'tcp', reuse }) => {
    const into: Socket[] = [];
    reuse.begin(into);
    const buf = Buffer.concat([...msgs, done()]);
    const r = parseInetDiagBuffer(buf, buf.length, ctx, into);
    assert.equal(r.done, true);
    seen = into.map((_, i) => reuse.inPrevious(i));
    dropped = [];
    reuse.droppedSockets((x) => dropped.push(x));
    reuse.end();
    return into;
  };
  const first = dump([base(1), base(2), base(3), base(4, { state: LISTEN }), base(5, { timer: 2, expires: 7000 }), base(6, { rqueue: 10 }), base(7), base(8)]);
  assert.equal(first.length, 8);
  first[6].processes = [{ pid: 1, name: 'x', fd: 3 }]; // attribution wrote to socket 7

  // Socket 2 gone, socket 9 new at the front; 6's queue drained; 8 changed its inode (not a real kernel event: any field counts).
  const second = dump([base(9), base(1), base(3), base(4, { state: LISTEN }), base(5, { timer: 2, expires: 6000 }), base(6, { rqueue: 0 }), base(7), base(8, { inode: 999 })]);
  const byCookie = (list: Socket[], c: number) => list.find((s) => s.cookie === String(c))!;
  assert.equal(reuse.hits, 2, 'sockets 1 and 3 reused');
  assert.equal(byCookie(second, 1), byCookie(first, 1));
  assert.equal(byCookie(second, 3), byCookie(first, 3));
  assert.notEqual(byCookie(second, 4), byCookie(first, 4), 'LISTEN sockets are attribution\'s: never reused');
  assert.notEqual(byCookie(second, 5), byCookie(first, 5), 'a socket with a timer is made anew (its expiry moves)');
  assert.equal(byCookie(second, 6).recvQ, 0);
  assert.notEqual(byCookie(second, 7), byCookie(first, 7), 'a socket attribution wrote to is made anew');
  assert.deepEqual(byCookie(second, 7).processes, []);
  assert.equal(byCookie(second, 8).inode, 999);
  // What a rolling aggregation needs: which sockets it already counts (reused, or the same socket with
  // only its timer or inode changed), and which of the first dump's to take back (gone, or changed
  // where it looks: state, ports, queues; and the LISTEN socket, always made anew).
  assert.deepEqual(second.map((x, i) => [x.cookie, seen[i]]), [['9', false], ['1', true], ['3', true], ['4', false], ['5', true], ['6', false], ['7', true], ['8', true]]);
  assert.deepEqual(dropped.map((x) => x.cookie).sort(), ['2', '4', '6']);
  // Every socket of the second dump is what a parse without reuse gives.
  const plain = parseInetDiagBuffer(Buffer.concat([base(9), base(1), base(3), base(4, { state: LISTEN }), base(5, { timer: 2, expires: 6000 }), base(6, { rqueue: 0 }), base(7), base(8, { inode: 999 }), done()]), Infinity, { protocol: 'tcp' });
  assert.deepEqual(second, plain.sockets);

  // State, ports, uid, family each count; a message with tcp_info (a details dump) is never reused.
  const third = dump([base(9, { state: 8 }), base(1, { dport: 1 }), base(3, { uid: 0 }), base(6, { family: AF_INET6, src: Array(16).fill(0), dst: Array(16).fill(0) })]);
  assert.equal(reuse.hits, 0);
  assert.equal(third[0].state, 'CLOSE_WAIT');
  assert.equal(third[3].ipVersion, 6);
  const withInfo = (c: number) => base(c, { attrs: [attr(INET_DIAG_INFO, tcpInfo(104, { rtt: 1000 }))] });
  dump([withInfo(20)]);
  dump([withInfo(20)]);
  assert.equal(reuse.hits, 0);
  // UDP dumps never reuse (connect() can move a UDP socket's peer without a state change).
  dump([base(30)], { protocol: 'udp', reuse });
  dump([base(30)], { protocol: 'udp', reuse });
  assert.equal(reuse.hits, 0);
});

test('SocketReuse: finds sockets again after insertions and removals anywhere in the walk', () => {
  const reuse = new SocketReuse();
  const msgs = (cookies: number[]) => Buffer.concat([...cookies.map((c) => nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ state: 1, sport: c & 0xffff, cookie: [c, 0] }))), done()]);
  const run = (cookies: number[]) => {
    const into: Socket[] = [];
    reuse.begin(into);
    parseInetDiagBuffer(msgs(cookies), Infinity, { protocol: 'tcp', reuse }, into);
    reuse.end();
    return into;
  };
  const all = Array.from({ length: 2000 }, (_, i) => i + 1);
  run(all);
  // 20 removed in a run (more than the lookahead) and 50 scattered new ones.
  const changed = all.filter((c) => c < 500 || c >= 520).flatMap((c) => (c % 40 === 0 ? [c, 100000 + c] : [c]));
  const second = run(changed);
  assert.equal(second.length, changed.length);
  // After the gap, 16 misses in a row make it index the previous dump's cookies; from then on every one is found.
  assert.ok(reuse.hits >= 1980 - 16 && reuse.hits <= 1980, `hits ${reuse.hits}`);
  // Scattered new sockets alone never need the index: every socket that stayed is reused.
  const third = run(changed.flatMap((c) => (c % 50 === 0 ? [c, 200000 + c] : [c])));
  assert.equal(reuse.hits, changed.length);
  assert.equal(third.length, changed.length + changed.filter((c) => c % 50 === 0).length);
  assert.deepEqual(second.map((s) => s.cookie), changed.map(String));
});

test('SocketReuse: a previous array reordered by its holder cannot make two different sockets count as one', () => {
  const reuse = new SocketReuse();
  // Two TIME_WAIT sockets (timer on: new objects every dump) with the same ports, to different peers.
  const tw = (cookie: number, peer: number, expires: number) => nlmsg(SOCK_DIAG_BY_FAMILY, diagMsg({ state: 6, timer: 3, expires, sport: 40000, dport: 443, dst: [10, 0, 0, peer], cookie: [cookie, 0], uid: 0, inode: 0 }));
  const agg = new PortAggregator();
  const run = (msgs: Buffer[]) => {
    const into: Socket[] = [];
    reuse.begin(into);
    parseInetDiagBuffer(Buffer.concat([...msgs, done()]), Infinity, { protocol: 'tcp', reuse }, into);
    // What dumpSockets does with a rolling aggregator.
    into.forEach((s, i) => reuse.inPrevious(i) || agg.add(s));
    reuse.droppedSockets((s) => agg.remove(s));
    reuse.end();
    return into;
  };
  const first = run([tw(1, 1, 9000), tw(2, 2, 9000)]);
  first.reverse(); // someone sorted the snapshot's sockets in place
  const second = run([tw(1, 1, 8000)]); // the second one has gone
  const fresh = new PortAggregator();
  for (const s of second) fresh.add(s);
  assert.deepEqual(agg.finish(second), fresh.finish(second));
  assert.deepEqual(agg.finish(second)[0].topPeers, [{ address: '10.0.0.1', count: 1 }]);
});

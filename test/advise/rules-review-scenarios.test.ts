// Rules on snapshots modelled on the failure scenarios measured in network namespaces (kernel 6.18): a
// receiver that never reads, a full SYN queue answered with SYN cookies, listen(4) holding 5, a SYN_SENT
// pile to a blackholed backend, overflows under procfs, timewait entries that are FIN_WAIT2 orphans, port
// exhaustion to loopback with tcp_tw_reuse 2, and a stopped server's TIME_WAIT port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules, healthyMessages, makeContext } from '../../src/advise/index.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { fakeHistory, fakeSnapshot, incoming, listener, outgoing, outgoingFrom, proc, tcp } from '../helpers/fake-snapshot.js';

const run = (snap: Snapshot, history?: Snapshot[], o: { port?: number; peerPort?: number; thresholds?: Record<string, number> } = {}) =>
  evaluateRules(makeContext({ snapshot: snap, history, ...o }));
const find = (id: string, snap: Snapshot, history?: Snapshot[]) => run(snap, history).find((r) => r.id === id);

// 2. A receiver that never reads (ss -tnmoi, measured): its Recv-Q stops near tcp_rmem[1], the sender's
// data waits behind a zero window.
//   ESTAB 127973 0      127.0.0.1:7024  127.0.0.1:40914  skmem:(r130469,rb131072,...) bytes_received:127973
//   ESTAB 0      472027 127.0.0.1:40914 127.0.0.1:7024   timer:(persist,1.528ms,0) skmem:(r0,rb131072,t0,tb3939840,f485,w482843,...) bytes_acked:127974
function neverReads(i: number, o: { skmem?: boolean; persist?: boolean; acked?: number; received?: number; wnd?: number | null } = {}) {
  const skmem = o.skmem ?? true;
  return {
    sockets: [
      listener('127.0.0.1:7024', 8, 0, [proc(900, 'python3')]),
      tcp('127.0.0.1:7024', '127.0.0.1:40914', 'ESTABLISHED', {
        recvQ: 127973,
        processes: [proc(900, 'python3', 4)],
        tcpInfo: { bytesReceived: o.received ?? 127973 },
        ...(skmem ? { skmem: { rmemAlloc: 130469, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 3939840 } } : {}),
      }),
      tcp('127.0.0.1:40914', '127.0.0.1:7024', 'ESTABLISHED', {
        sendQ: 472027,
        processes: [proc(900, 'python3', 5)],
        ...(o.persist ?? true ? { timer: { name: 'persist' as const, expiresMs: 1528 + i, retrans: 0 } } : {}),
        // snd_wnd 0: the peer shut its window (null: a source without tcpi_snd_wnd).
        tcpInfo: { bytesAcked: o.acked ?? 127974, mss: 65483, ...(o.wnd === null ? {} : { sndWnd: o.wnd ?? 0 }) },
        ...(skmem ? { skmem: { rmemAlloc: 0, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 3939840, wmemQueued: 482843 } } : {}),
      }),
    ],
  };
}

test('recv-q-persistent: a receiver that never reads (Recv-Q 125 KiB, 98% of rb 128 KiB) fires though it is far below 1 MiB', () => {
  const h = fakeHistory(4, (i) => neverReads(i), 1_000);
  const r = find('recv-q-persistent', h[3], h)!;
  assert.ok(r, 'recv-q-persistent fires');
  assert.equal(r.port, 7024);
  assert.equal(r.pid, 900);
  assert.match(r.message, /^1 established connection on tcp port 7024 keeps data unread in Recv-Q: python3 \(pid 900\) is not reading$/);
  assert.match(r.evidence, /^over 3 samples \(full in each: at least 90% of the socket's rcvbuf in use \(skmem r of rb\) or 1 MiB queued, or a receive window this end shut \(tcp_info rcv_wnd 0\)\): 127\.0\.0\.1:40914 Recv-Q 125 KiB, 127 KiB in use of rcvbuf 128 KiB \(100%\) \(no progress\)$/);
  // The same sockets through procfs (no skmem): only the absolute 1 MiB applies.
  const blind = fakeHistory(4, (i) => neverReads(i, { skmem: false, persist: false }), 1_000);
  assert.equal(find('recv-q-persistent', blind[3], blind), undefined);
  // Drained once in the samples: not persistent.
  const drained = fakeHistory(4, (i) => {
    const s = neverReads(i);
    if (i === 2) s.sockets[1] = { ...s.sockets[1], recvQ: 0, skmem: { ...s.sockets[1].skmem!, rmemAlloc: 0 } };
    return s;
  }, 1_000);
  assert.equal(find('recv-q-persistent', drained[3], drained), undefined);
  // A reader keeping up: a few KiB queued of a 6 MiB buffer.
  const busy = fakeHistory(4, (i) => ({ sockets: [listener('127.0.0.1:7024', 8), tcp('127.0.0.1:7024', '127.0.0.1:40914', 'ESTABLISHED', { recvQ: 8000, tcpInfo: { bytesReceived: 1e6 * i }, skmem: { rmemAlloc: 9000, rcvbuf: 6291456, wmemAlloc: 0, sndbuf: 87040 } })] }), 1_000);
  assert.equal(find('recv-q-persistent', busy[3], busy), undefined);
  // A reader keeping up on a small fixed buffer (SO_RCVBUF 32768, measured on loopback): one 32 KiB segment
  // in transit at every sample is half of rb 64 KiB, not a full queue.
  const small = fakeHistory(4, (i) => ({ sockets: [listener('127.0.0.1:7024', 1), tcp('127.0.0.1:7024', '127.0.0.1:40914', 'ESTABLISHED', { recvQ: 32768, tcpInfo: { bytesReceived: 152551424 + 140e6 * i }, skmem: { rmemAlloc: 33600, rcvbuf: 65536, wmemAlloc: 0, sndbuf: 4194304 } })] }), 1_000);
  assert.equal(find('recv-q-persistent', small[3], small), undefined);
});

test('send-q-persistent: zero-window probes (timer persist) held over the samples fire whatever the Send-Q size', () => {
  const h = fakeHistory(4, (i) => neverReads(i), 1_000);
  const r = find('send-q-persistent', h[3], h)!;
  assert.ok(r, 'send-q-persistent fires');
  assert.equal(r.peerPort, 7024);
  assert.match(r.message, /^1 established connection on outgoing tcp connections to port 7024 cannot send: the peer is not reading \(Send-Q stays full\)$/);
  // Outgoing connections are named by their local endpoint (the peer is the same for all of them).
  assert.match(r.evidence, /127\.0\.0\.1:40914 Send-Q 461 KiB, 472 KiB in use of sndbuf 3\.76 MiB \(12%\) \(no progress\) \(zero-window probes: timer persist, snd_wnd 0\)/);
  assert.match(r.fix, /Fix the reading side/);
  assert.doesNotMatch(r.fix, /nft list ruleset/);
  // The same probe timer with the peer's window open (snd_wnd a segment or more): the kernel cannot send for
  // local reasons (review s20 fix-rules2 #1: an nft output drop showed timer:(persist) with snd_wnd:65483).
  const open = fakeHistory(4, (i) => neverReads(i, { wnd: 65483 }), 1_000);
  const o = find('send-q-persistent', open[3], open)!;
  assert.doesNotMatch(o.message, /peer is not reading/);
  assert.match(o.message, /the peer's window is open .*dropped or held on this host/);
  assert.match(o.evidence, /\(probe timer: timer persist, yet the peer's window is open: snd_wnd 65483\)/);
  assert.doesNotMatch(o.fix, /Fix the reading side/);
  assert.match(o.fix, /^Look for local drops: nft list ruleset; iptables -S;/);
  // A window under one segment is shut for the sender.
  const tiny = fakeHistory(4, (i) => neverReads(i, { wnd: 100 }), 1_000);
  assert.match(find('send-q-persistent', tiny[3], tiny)!.message, /the peer is not reading/);
  // No snd_wnd (ss, procfs, kernels before 5.4): both possibilities.
  const blindWnd = fakeHistory(4, (i) => neverReads(i, { wnd: null }), 1_000);
  const u = find('send-q-persistent', blindWnd[3], blindWnd)!;
  assert.match(u.message, /the peer's window is shut \(the peer is not reading\), or this host cannot send \(a local firewall drop\)/);
  assert.match(u.fix, /look for local drops: nft list ruleset.*Fix the reading side/);
  // The persist timer in only the latest sample: not held.
  const once = fakeHistory(4, (i) => neverReads(i, { persist: i === 3, acked: 127974 + i * 1000 }), 1_000);
  assert.equal(find('send-q-persistent', once[3], once), undefined);
  // A slow reader: the window opens now and then (bytes acknowledged) but is shut at every sample.
  const slow = fakeHistory(4, (i) => neverReads(i, { acked: 127974 + i * 65536 }), 1_000);
  assert.match(find('send-q-persistent', slow[3], slow)!.message, /the peer is not reading fast enough/);
  // A bulk sender: Send-Q well within its buffer, acknowledged all along, no persist timer.
  const bulk = fakeHistory(4, (i) => neverReads(i, { persist: false, acked: 127974 + i * 50e6 }), 1_000);
  assert.equal(find('send-q-persistent', bulk[3], bulk), undefined);
});

// 4. listen(8) on 10.99.0.1:7012, SYN-ACKs lost (static ARP entry to an absent MAC): 9 SYN_RECV, and
// nstat TcpExtSyncookiesSent 42, TCPReqQFullDoCookies 42 after 2 s.
function synFlood(i: number, o: { n?: number; backlog?: number; sendQUnknown?: boolean; cookies?: boolean } = {}) {
  const c = o.cookies === false ? 0 : 14 * i;
  return {
    netstat: { TcpExt: { ListenOverflows: 0, ListenDrops: 0, SyncookiesSent: c, TCPReqQFullDoCookies: c, TCPReqQFullDrop: 0 } },
    sockets: [
      listener('10.99.0.1:7012', o.sendQUnknown ? 0 : (o.backlog ?? 8), 0, [proc(700, 'python3')], o.sendQUnknown ? { sendQUnknown: true } : {}),
      ...incoming(o.n ?? 9, '10.99.0.1:7012', 'SYN_RECV', {}, '10.99.0.2'),
    ],
  };
}

test('syn-recv-high: a full SYN queue of a listen(8) listener (9 SYN_RECV) fires far below synRecvCount 128', () => {
  const h = fakeHistory(3, (i) => synFlood(i), 1_000);
  const r = find('syn-recv-high', h[2], h)!;
  assert.ok(r, 'syn-recv-high fires');
  assert.equal(r.severity, 'critical');
  assert.equal(r.port, 7012);
  assert.match(r.message, /^9 half-open connections \(SYN_RECV\) on tcp port 7012, past the listen backlog: the SYN queue is full and SYN cookies are sent: /);
  assert.match(r.evidence, /listen backlog 8 \(the SYN queue holds backlog \+ 1\);.*; SyncookiesSent \+28; TCPReqQFullDoCookies \+28$/);
  // One snapshot (analyze without --samples): the level alone shows the full queue.
  assert.equal(find('syn-recv-high', h[2])?.severity, 'critical');
  // At the backlog but not past it, with the cookie counters rising: still reported (host counters).
  const at = fakeHistory(3, (i) => synFlood(i, { n: 8 }), 1_000);
  const w = find('syn-recv-high', at[2], at)!;
  assert.equal(w.severity, 'critical');
  assert.match(w.message, /^8 half-open connections \(SYN_RECV\) on tcp port 7012, the SYN queue overflows and SYN cookies are sent: /);
  // A few half-open connections on a big backlog, counters still: nothing.
  assert.equal(find('syn-recv-high', fakeHistory(3, (i) => synFlood(i, { n: 5, backlog: 511, cookies: false }), 1_000)[2]), undefined);
  // Cookies rising for some other listener: a port with 3 of 511 is not blamed.
  const other = fakeHistory(3, (i) => synFlood(i, { n: 3, backlog: 511 }), 1_000);
  assert.equal(find('syn-recv-high', other[2], other), undefined);
  // procfs (backlog unknown): the rising cookie counters name the port that has half-open connections.
  const blind = fakeHistory(3, (i) => synFlood(i, { sendQUnknown: true }), 1_000);
  const b = find('syn-recv-high', blind[2], blind)!;
  assert.ok(b);
  assert.match(b.evidence, /listen backlog unknown/);
});

// 6. listen(4), 4 then 5 clients that are never accepted: ss Recv-Q 5 Send-Q 4 at the most, and the 5th
// connect() succeeded with no ListenOverflows.
test('accept-queue: listen(4) with 4 waiting is near full; with 5 (the kernel maximum) it is full', () => {
  const four = fakeSnapshot({ sockets: [listener('127.0.0.1:7023', 4, 4, [proc(800, 'python3')])] });
  assert.deepEqual(run(four).map((r) => `${r.id}:${r.severity}`), ['accept-queue-near-full:warning']);
  assert.match(run(four)[0].evidence, /^Recv-Q 4 is 100% of backlog 4/);
  const five = fakeSnapshot({ sockets: [listener('127.0.0.1:7023', 4, 5, [proc(800, 'python3')])] });
  const r = run(five).find((x) => x.id === 'accept-queue-full')!;
  assert.match(r.message, /^Accept queue full on tcp 127\.0\.0\.1:7023: 5 connections wait for accept\(\) with backlog 4; python3 \(pid 800\)/);
  assert.match(r.evidence, /^Recv-Q 5 > backlog \(Send-Q\) 4 \(the kernel queues backlog \+ 1\)/);
});

// 7. Five connects to 10.99.0.3:80, dropped silently (static ARP entry to an absent MAC):
//   SYN-SENT 0 1 10.99.0.1:41230 10.99.0.3:80 timer:(on,3.2sec,2)
test('syn-sent-unanswered: a SYN_SENT pile to a blackholed backend is a finding', () => {
  const pile = (retrans: number) => outgoing(5, '10.99.0.1', '10.99.0.3:80', 'SYN_SENT', { sendQ: 1, timer: { name: 'on', expiresMs: 3200, retrans }, processes: [proc(600, 'python3')] });
  const h = fakeHistory(3, () => ({ sockets: pile(2) }), 1_000);
  const r = find('syn-sent-unanswered', h[2], h)!;
  assert.ok(r, 'syn-sent-unanswered fires');
  assert.equal(r.severity, 'warning');
  assert.equal(r.scope, 'port');
  assert.equal(r.peerPort, 80);
  assert.equal(r.pid, 600);
  assert.match(r.message, /^5 connections from python3 \(pid 600\) to 10\.99\.0\.3:80 hang in SYN_SENT: nothing answers their SYNs/);
  assert.match(r.evidence, /^5 SYN_SENT to 10\.99\.0\.3:80 with the SYN unanswered \(SYN retransmissions: up to 2\); from 10\.99\.0\.1; warning at 3$/);
  assert.match(r.fix, /sockscope debug-connections --address 10\.99\.0\.3:80/);
  assert.ok(run(h[2], h, { peerPort: 80 }).some((x) => x.id === 'syn-sent-unanswered'), 'shown by analyze --peer-port 80');
  // Handshakes in progress (no retransmission yet), or fewer than synSentCount: nothing.
  assert.equal(find('syn-sent-unanswered', fakeSnapshot({ sockets: pile(0) })), undefined);
  assert.equal(find('syn-sent-unanswered', fakeSnapshot({ sockets: pile(3).slice(0, 2) })), undefined);
  // A source without timers: the same sockets still in SYN_SENT over the samples.
  const bare = fakeHistory(3, () => ({ sockets: outgoing(5, '10.99.0.1', '10.99.0.3:80', 'SYN_SENT') }), 1_000);
  assert.match(find('syn-sent-unanswered', bare[2], bare)!.evidence, /in SYN_SENT over 3 samples; this source shows no retransmissions/);
  assert.equal(find('syn-sent-unanswered', bare[2]), undefined, 'one sample without timers cannot tell');
});

test('syn-sent-unanswered: SYNs to a local listener with a full accept queue name the listener', () => {
  // The backlog scenario: listen(1) never accepting, 141 clients left in SYN_SENT.
  const sockets = [listener('127.0.0.1:7003', 1, 2, [proc(500, 'python3')]), ...outgoing(141, '127.0.0.1', '127.0.0.1:7003', 'SYN_SENT', { timer: { name: 'on', expiresMs: 900, retrans: 3 } })];
  const r = find('syn-sent-unanswered', fakeSnapshot({ sockets }))!;
  assert.match(r.message, /^141 connections to 127\.0\.0\.1:7003 hang in SYN_SENT: the listener 127\.0\.0\.1:7003 on this host has 2 connections waiting for accept\(\), a full accept queue: the kernel drops new SYNs$/);
  assert.match(r.evidence, /listener 127\.0\.0\.1:7003 Recv-Q 2, backlog 1/);
  // analyze --peer-port 7003 collects only the connections, not the listener: still not "the host is down".
  const scoped = run(fakeSnapshot({ sockets: sockets.slice(1) }), undefined, { peerPort: 7003 }).find((x) => x.id === 'syn-sent-unanswered')!;
  assert.match(scoped.message, /hang in SYN_SENT: the destination is this host, where unanswered SYNs mean a listener whose accept queue is full \(sockscope analyze --port 7003\)/);
  assert.doesNotMatch(scoped.fix, /debug-connections|tracepath/);
  // procfs (backlog unknown): connections waiting are named as the likely cause; an empty queue is not.
  const blind = (q: number) => [listener('127.0.0.1:7003', 0, q, [], { sendQUnknown: true }), ...sockets.slice(1)];
  assert.match(find('syn-sent-unanswered', fakeSnapshot({ sockets: blind(2) }))!.message, /has 2 connections waiting for accept\(\) \(backlog unknown with this source\): a full accept queue drops new SYNs$/);
  const empty = find('syn-sent-unanswered', fakeSnapshot({ sockets: blind(0) }))!;
  assert.match(empty.message, /a listener on this host serves the destination, yet their SYNs go unanswered/);
  // Its accept queue is empty: the fix looks at the firewall and SYN cookies, not at accepting faster.
  assert.doesNotMatch(empty.fix, /Accept faster/);
  assert.match(empty.fix, /nft list ruleset.*net\.ipv4\.tcp_syncookies/);
});

// Any 127.0.0.0/8 address reaches a wildcard listener: SYNs to 127.0.0.2:7000 (from 127.0.0.1) meet the
// full 0.0.0.0:7000 listener in the snapshot, which was missed ('the listener is not collected' text).
test('syn-sent-unanswered: a full 0.0.0.0 listener is named for a 127.0.0.2 destination, an IPv4 one before [::]', () => {
  const pile = outgoing(5, '127.0.0.1', '127.0.0.2:7000', 'SYN_SENT', { timer: { name: 'on', expiresMs: 900, retrans: 2 } });
  const r = find('syn-sent-unanswered', fakeSnapshot({ sockets: [listener('0.0.0.0:7000', 1, 2, [proc(501, 'python3')]), ...pile] }))!;
  assert.match(r.message, /^5 connections to 127\.0\.0\.2:7000 hang in SYN_SENT: the listener 0\.0\.0\.0:7000 on this host has 2 connections waiting for accept\(\), a full accept queue/);
  assert.match(r.evidence, /listener 0\.0\.0\.0:7000 Recv-Q 2, backlog 1/);
  const both = find('syn-sent-unanswered', fakeSnapshot({ sockets: [listener('[::]:7000', 128, 0), listener('0.0.0.0:7000', 1, 2), ...pile] }))!;
  assert.match(both.message, /the listener 0\.0\.0\.0:7000 on this host has 2 connections waiting/);
  // A listener bound to 127.0.0.1 only does not serve 127.0.0.2: the kernel would answer RST, so a firewall drops them.
  const other = find('syn-sent-unanswered', fakeSnapshot({ sockets: [listener('127.0.0.1:7000', 1, 2), ...pile] }))!;
  assert.match(other.message, /nothing on this host listens on 127\.0\.0\.2:7000, where the kernel would answer RST/);
});

// 9. listen(1) never accepting, clients keep coming, --source procfs --samples 4.
test('listen-overflows-rising under procfs lists the listener with connections waiting (backlog unknown)', () => {
  const h = fakeHistory(4, (i) => ({
    netstat: { TcpExt: { ListenOverflows: 100 + 5 * i, ListenDrops: 100 + 5 * i } },
    sockets: [listener('127.0.0.1:7003', 0, 2, [proc(500, 'python3')], { sendQUnknown: true }), listener('0.0.0.0:22', 0, 0, [], { sendQUnknown: true })],
  }), 1_000);
  const r = find('listen-overflows-rising', h[3], h)!;
  assert.match(r.evidence, /fullest listeners: 127\.0\.0\.1:7003 Recv-Q 2\/\? \(\? = backlog unknown with this source\); net\.core\.somaxconn 4096$/);
});

// 12. CLOSE_WAIT scenario: 15 orphaned FIN_WAIT2 on the client side, 0 TIME_WAIT, sockstat TCP tw 15.
test('time-wait-ok: the host figure is called timewait entries (TIME_WAIT and orphaned FIN_WAIT2), not TIME_WAIT', () => {
  const snap = fakeSnapshot({
    sockstat: { TCP: { inuse: 20, orphan: 0, tw: 15 } },
    sockets: [listener('127.0.0.1:7001', 128, 0, [proc(400, 'python3')]), ...incoming(15, '127.0.0.1:7001', 'CLOSE_WAIT', {}, '127.0.0.1'), ...outgoing(15, '127.0.0.1', '127.0.0.1:7001', 'FIN_WAIT2')],
  });
  const ctx = makeContext({ snapshot: snap, port: 7001 });
  const ok = healthyMessages(ctx, evaluateRules(ctx)).find((x) => x.id === 'time-wait-ok')!;
  assert.equal(ok.message, 'TIME_WAIT count is normal');
  assert.match(ok.evidence, /^0 TIME_WAIT sockets on port 7001; host timewait entries 15 \(sockstat TCP tw: TIME_WAIT and orphaned FIN_WAIT2\) of net\.ipv4\.tcp_max_tw_buckets 262144/);
  assert.doesNotMatch(ok.evidence, /host total/);
});

// 13. ip_local_port_range narrowed to 200 ports, 200 TIME_WAIT to 127.0.0.1:7010 under 1 s old, tcp_tw_reuse 2:
// connect() failed with EADDRNOTAVAIL; tcp_tw_reuse=1 would change nothing.
test('time-wait-port-exhaustion: no tcp_tw_reuse=1 advice when 2 already covers a loopback destination', () => {
  const sysctls = { 'net.ipv4.ip_local_port_range': '40000 40199', 'net.ipv4.tcp_tw_reuse': '2' } as const;
  // (their timers show under 1 s gone: tcp_tw_reuse takes none over yet, so connect() fails now)
  const young = { timer: { name: 'timewait' as const, expiresMs: 59_500, retrans: 0 } };
  const loop = find('time-wait-port-exhaustion', fakeSnapshot({ sysctls, sockets: outgoingFrom(40000, 200, '127.0.0.1', '127.0.0.1:7010', 'TIME_WAIT', young) }))!;
  assert.equal(loop.severity, 'critical');
  assert.doesNotMatch(loop.fix, /tcp_tw_reuse=1/);
  assert.match(loop.fix, /net\.ipv4\.tcp_tw_reuse=2 already lets connect\(\) reuse these TIME_WAIT ports \(loopback\), but only once an entry is 1 s old/);
  // A remote destination: 2 does not apply, 1 is the advice (and says what 2 does).
  const remote = find('time-wait-port-exhaustion', fakeSnapshot({ sysctls, sockets: outgoingFrom(40000, 200, '10.0.0.1', '10.0.0.50:5432', 'TIME_WAIT') }))!;
  assert.match(remote.fix, /sysctl -w net\.ipv4\.tcp_tw_reuse=1 \(now 2: loopback destinations only\)/);
  // 1 already on: no advice to set it.
  const on = find('time-wait-port-exhaustion', fakeSnapshot({ sysctls: { ...sysctls, 'net.ipv4.tcp_tw_reuse': '1' }, sockets: outgoingFrom(40000, 200, '10.0.0.1', '10.0.0.50:5432', 'TIME_WAIT') }))!;
  assert.doesNotMatch(on.fix, /sysctl -w net\.ipv4\.tcp_tw_reuse/);
  assert.match(on.fix, /net\.ipv4\.tcp_tw_reuse=1 already lets connect\(\) reuse/);
});

// 14. The server closed first and exited: 300 TIME_WAIT on local port 7005, no listener; a restart's
// bind() without SO_REUSEADDR failed with EADDRINUSE.
test('time-wait-ok: a TIME_WAIT port with no listener warns that a restart needs SO_REUSEADDR on both servers', () => {
  const tw = Array.from({ length: 300 }, (_, i) => tcp('127.0.0.1:7005', `127.0.0.1:${45000 + i}`, 'TIME_WAIT'));
  const ctx = makeContext({ snapshot: fakeSnapshot({ sockets: tw, sockstat: { TCP: { inuse: 0, orphan: 0, tw: 300 } } }), port: 7005 });
  const ok = healthyMessages(ctx, evaluateRules(ctx)).find((x) => x.id === 'time-wait-ok')!;
  // The message stays analyze-states' one line (product.md); the note is in evidence and fix.
  assert.equal(ok.message, 'TIME_WAIT count is normal');
  assert.match(ok.evidence, /; no TCP listener on port 7005, 300 TIME_WAIT with local address 127\.0\.0\.1:7005: a server started on it gets EADDRINUSE from bind\(\) until they expire \(60 s\) unless both the server that left them and the new one set SO_REUSEADDR$/);
  assert.match(ok.fix, /SO_REUSEADDR before bind\(\).*Check: sockscope try bind 127\.0\.0\.1:7005/);
  // With the server running (a listener), nothing to add.
  const up = makeContext({ snapshot: fakeSnapshot({ sockets: [listener('127.0.0.1:7005', 128), ...tw] }), port: 7005 });
  const ok2 = healthyMessages(up, evaluateRules(up)).find((x) => x.id === 'time-wait-ok')!;
  assert.equal(ok2.message, 'TIME_WAIT count is normal');
  assert.equal(ok2.fix, 'nothing to change');
});

// SO_REUSEPORT: each member has its own SYN queue of backlog + 1, so 4 x listen(8) hold 36 half-open
// connections; the port's SYN_RECV compared with one member's backlog called 12 'the SYN queue is full'.
test('syn-recv-high: an SO_REUSEPORT group of 4 x listen(8) with 12 SYN_RECV is not full; with 36 it is', () => {
  const group = (n: number) => fakeSnapshot({ sockets: [...[1, 2, 3, 4].map((k) => listener('0.0.0.0:7001', 8, 0, [proc(700 + k, 'worker')])), ...incoming(n, '10.0.0.1:7001', 'SYN_RECV', {}, '10.0.0.9')] });
  assert.equal(find('syn-recv-high', group(12)), undefined);
  assert.equal(find('syn-recv-high', group(35)), undefined);
  const full = find('syn-recv-high', group(36))!;
  assert.equal(full.severity, 'critical');
  assert.match(full.message, /^36 half-open connections \(SYN_RECV\) on tcp port 7001, past the listen backlogs of its 4 listeners: their SYN queues are full/);
  assert.match(full.evidence, /4 SO_REUSEPORT listeners with backlog 8 \(each has its own SYN queue of backlog \+ 1: 36 in all\)/);
  // Listeners on two addresses: each address has its own queue; 9 on 10.0.0.2 fills that listener's.
  const two = fakeSnapshot({ sockets: [listener('10.0.0.1:7002', 8), listener('10.0.0.2:7002', 8), ...incoming(6, '10.0.0.1:7002', 'SYN_RECV'), ...incoming(6, '10.0.0.2:7002', 'SYN_RECV', {}, '10.1.0.3')] });
  assert.equal(find('syn-recv-high', two), undefined);
  const twoFull = fakeSnapshot({ sockets: [listener('10.0.0.1:7002', 8), listener('10.0.0.2:7002', 8), ...incoming(3, '10.0.0.1:7002', 'SYN_RECV'), ...incoming(9, '10.0.0.2:7002', 'SYN_RECV', {}, '10.1.0.3')] });
  const r = find('syn-recv-high', twoFull)!;
  assert.equal(r.severity, 'critical');
  assert.match(r.evidence, /listen backlog 8 for 10\.0\.0\.2:7002 \(9 of them\) \(the SYN queue holds backlog \+ 1\)/);
});

// procfs / netstat show no backlog: a flood on :80 (300 SYN_RECV, cookies sent) must not make :22 and
// :5432, with one ordinary half-open connection each, critical from the same host-wide counters.
test('syn-recv-high: with backlogs unknown the cookie counters go to the port with the most half-open connections only', () => {
  const blind = { sendQUnknown: true };
  const h = fakeHistory(4, (i) => ({
    netstat: { TcpExt: { SyncookiesSent: i * 500, TCPReqQFullDoCookies: i * 500 } },
    sockets: [
      listener('0.0.0.0:80', 0, 0, [], blind), ...Array.from({ length: 300 }, (_, k) => tcp('10.0.0.1:80', `10.9.${k >> 8}.${k & 255}:${40000 + k}`, 'SYN_RECV')),
      listener('0.0.0.0:22', 0, 0, [], blind), tcp('10.0.0.1:22', '10.0.0.7:51000', 'SYN_RECV'),
      listener('0.0.0.0:5432', 0, 0, [], blind), tcp('10.0.0.1:5432', '10.0.0.8:51001', 'SYN_RECV'),
    ],
  }), 1_000);
  const recs = run(h[3], h).filter((r) => r.id === 'syn-recv-high');
  assert.deepEqual(recs.map((r) => `${r.port}:${r.severity}`), ['80:critical']);
  assert.match(recs[0].evidence, /listen backlog unknown;.*host-wide counters, given to the port with the most half-open connections$/);
  // analyze --port 22 collects only :22: nothing to compare with, so its one SYN_RECV is not blamed.
  const only22 = fakeHistory(4, (i) => ({ netstat: h[i].counters.netstat!, sockets: h[i].sockets.filter((s) => s.local.port === 22) }), 1_000);
  assert.equal(run(only22[3], only22, { port: 22 }).find((r) => r.id === 'syn-recv-high'), undefined);
});

// Review s20 fix-rules3 #4: a group with mixed windows (one socket's shut, another's open) or a window that
// changed between samples was classed with "no snd_wnd", and the message said "this source does not show the
// peer's window (snd_wnd)" while the evidence listed snd_wnd for every socket.
test('send-q-persistent: mixed windows in a group name the sockets with a shut window and those with an open one', () => {
  const sock = (i: number, port: number, wnd: number) => tcp(`127.0.0.1:${port}`, '127.0.0.1:7024', 'ESTABLISHED', {
    sendQ: 472027, processes: [proc(900, 'python3', port)],
    timer: { name: 'persist' as const, expiresMs: 1528 + i, retrans: 0 },
    tcpInfo: { bytesAcked: 127974, mss: 65483, sndWnd: wnd },
    skmem: { rmemAlloc: 0, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 3939840, wmemQueued: 482843 },
  });
  const h = fakeHistory(4, (i) => ({ sockets: [listener('127.0.0.1:7024', 8, 0, [proc(901, 'srv')]), sock(i, 40914, 0), sock(i, 40915, 65483)] }), 1_000);
  const r = find('send-q-persistent', h[3], h)!;
  assert.ok(r);
  assert.doesNotMatch(r.message, /does not show the peer's window/, r.message);
  assert.match(r.message, /the peer's window is shut on 127\.0\.0\.1:40914 \(the peer is not reading\) and is open on 127\.0\.0\.1:40915 \(this host cannot send: a local drop\)/, r.message);
  assert.match(r.fix, /Where the peer's window is open .*look for local drops.*Fix the reading side/);
  // One socket whose window changed between the samples (shut, then open).
  const changed = fakeHistory(4, (i) => ({ sockets: [listener('127.0.0.1:7024', 8, 0, [proc(901, 'srv')]), sock(i, 40914, i < 2 ? 0 : 65483)] }), 1_000);
  const c = find('send-q-persistent', changed[3], changed)!;
  assert.ok(c);
  assert.doesNotMatch(c.message, /does not show the peer's window/, c.message);
  assert.match(c.message, /the peer's window changed between the samples on 127\.0\.0\.1:40914 \(shut in some, open in others\)/, c.message);
  assert.match(c.evidence, /snd_wnd changed between the samples/, c.evidence);
  // The evidence names the sockets as the message does (not by their common peer 127.0.0.1:7024).
  assert.match(r.evidence, /: 127\.0\.0\.1:40914 Send-Q .*snd_wnd 0\); 127\.0\.0\.1:40915 Send-Q .*snd_wnd 65483\)$/, r.evidence);
});

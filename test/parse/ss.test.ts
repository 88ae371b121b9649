import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSs, parseSsDuration, parseSsLine, parseInetEndpoint, SsStreamParser } from '../../src/parse/ss.js';
import type { Socket } from '../../src/model/socket.js';
import { UNIX_NAMES } from '../helpers/unix-names.js';

const fx = (name: string) => readFileSync(new URL(`../fixtures/ss/${name}`, import.meta.url), 'utf8');

test('durations in ss timer notation', () => {
  assert.equal(parseSsDuration('200ms'), 200);
  assert.equal(parseSsDuration('59sec'), 59_000);
  assert.equal(parseSsDuration('1.020ms'), 1_020); // ss writes 1.020 seconds this way
  assert.equal(parseSsDuration('2min5sec'), 125_000);
  assert.equal(parseSsDuration('119min'), 119 * 60_000);
  assert.ok(Number.isNaN(parseSsDuration('soon')));
});

test('endpoints: IPv4, IPv6, mapped, scoped, device, wildcard', () => {
  assert.deepEqual(parseInetEndpoint('127.0.0.1:80'), { address: '127.0.0.1', port: 80 });
  assert.deepEqual(parseInetEndpoint('[::1]:8080'), { address: '::1', port: 8080 });
  assert.deepEqual(parseInetEndpoint('[::ffff:10.1.2.3]:443'), { address: '10.1.2.3', port: 443 });
  assert.deepEqual(parseInetEndpoint('[fe80::1]%eth0:22'), { address: 'fe80::1', port: 22, scope: 'eth0', device: 'eth0' });
  assert.deepEqual(parseInetEndpoint('0.0.0.0%lo:53'), { address: '0.0.0.0', port: 53, device: 'lo' });
  assert.deepEqual(parseInetEndpoint('0.0.0.0:*'), { address: '0.0.0.0', port: 0 });
  assert.deepEqual(parseInetEndpoint('*:22'), { address: '::', port: 22, star: true });
  assert.equal(parseInetEndpoint('1.2.3.4:99999'), null);
  assert.equal(parseInetEndpoint('garbage'), null);
});

test('real capture: listeners, accept queue, CLOSE_WAIT, TIME_WAIT, UDP, unix with spaces, shared sockets', () => {
  const socks = parseSs(fx('scenario-basic.txt'));
  assert.equal(socks.length, 20);
  const l101 = socks.find((s) => s.state === 'LISTEN' && s.local.port === 45101)!;
  assert.equal(l101.recvQ, 2, 'two connections waiting in the accept queue');
  assert.equal(l101.sendQ, 3, 'backlog 3');
  assert.deepEqual(
    l101.processes.map((p) => p.pid).sort(),
    [14512, 14554],
    'a socket shared by parent and forked child lists both',
  );
  assert.equal(l101.processes.find((p) => p.pid === 14554)!.name, 'child worker');
  assert.equal(l101.processes.find((p) => p.pid === 14512)!.name, 'my "p" (x', 'quotes and parentheses inside the name');
  assert.equal(l101.inode, 21301);
  assert.equal(l101.uid, 0);
  const cw = socks.find((s) => s.state === 'CLOSE_WAIT')!;
  assert.equal(cw.local.port, 45105);
  assert.equal(cw.recvQ, 1);
  const tw = socks.find((s) => s.state === 'TIME_WAIT')!;
  assert.deepEqual(tw.timer && { name: tw.timer.name, ms: tw.timer.expiresMs }, { name: 'timewait', ms: 58_000 });
  const dual = socks.find((s) => s.local.port === 45102 && s.state === 'LISTEN')!;
  assert.equal(dual.local.address, '::');
  assert.equal(dual.ipVersion, 6);
  const mapped = socks.find((s) => s.local.port === 45102 && s.state === 'ESTABLISHED')!;
  assert.equal(mapped.local.address, '127.0.0.1', 'IPv4-mapped shown as IPv4');
  assert.equal(mapped.ipVersion, 6);
  const udp6 = socks.find((s) => s.protocol === 'udp' && s.local.port === 45104)!;
  assert.equal(udp6.local.address, '::1');
  assert.equal(udp6.state, 'CLOSE');
  const ux = socks.find((s) => s.protocol === 'unix' && s.state === 'LISTEN')!;
  assert.equal(ux.local.address, '/tmp/fx dir/sock with spaces');
  assert.equal(ux.inode, 21309);
  assert.equal(ux.unixType, 'stream');
  const abs = socks.find((s) => s.protocol === 'unix' && s.unixType === 'dgram')!;
  assert.equal(abs.local.address, '@abstract name');
  const ka = socks.find((s) => s.local.port === 49372)!;
  assert.equal(ka.timer?.name, 'keepalive');
  assert.equal(ka.timer?.expiresMs, 119 * 60_000);
  assert.equal(socks.find((s) => s.local.port === 45107 && s.state === 'ESTABLISHED')!.recvQ, 1000);
});

test('real capture with -i -m parses tcp_info and skmem', () => {
  const socks = parseSs(fx('scenario-details.txt'));
  assert.equal(socks.length, 20);
  const est = socks.filter((s) => s.protocol === 'tcp' && s.state === 'ESTABLISHED');
  assert.ok(est.length >= 5);
  for (const s of est) {
    assert.ok(s.tcpInfo, 'tcp_info present');
    assert.ok((s.tcpInfo!.rttUs ?? 0) > 0, 'rtt parsed');
    assert.ok((s.tcpInfo!.cwnd ?? 0) > 0);
    assert.ok(s.skmem && s.skmem.rcvbuf > 0 && s.skmem.sndbuf > 0);
  }
});

test('ss app_limited: the delivery rate sample is app-limited; a rate printed without it is not; no rate, not said', () => {
  const socks = parseSs(fx('scenario-details.txt'));
  // 127.0.0.1:49372 -> :45107 (bbr): "delivery_rate 35328000000bps delivered:2 app_limited".
  const app = socks.find((s) => s.protocol === 'tcp' && s.local.port === 49372)!;
  assert.equal(app.tcpInfo!.deliveryRate, 35328000000 / 8);
  assert.equal(app.tcpInfo!.deliveryRateAppLimited, true);
  // hand-edge-cases: "delivery_rate 800000bps delivered:3 busy:30ms" with no app_limited.
  const plain = parseSs(fx('hand-edge-cases.txt')).find((s) => s.protocol === 'tcp' && s.local.port === 49372 && s.tcpInfo?.deliveryRate != null)!;
  assert.equal(plain.tcpInfo!.deliveryRate, 100000);
  assert.equal(plain.tcpInfo!.deliveryRateAppLimited, false);
  const line = (tail: string) => parseSs(`tcp   ESTAB 0 0 127.0.0.1:5000 127.0.0.1:6000 ts sack cubic wscale:7,7 rto:204 rtt:0.05/0.02 mss:32768 cwnd:10 ${tail}\n`)[0]!.tcpInfo!;
  assert.equal(line('bytes_acked:1 delivery_rate 1000000000bps app_limited busy:4ms').deliveryRateAppLimited, true);
  assert.equal(line('bytes_acked:1 busy:4ms').deliveryRateAppLimited, undefined);
});

test('the same sockets with and without details', () => {
  const key = (s: { protocol: string; state: string; local: { address: string; port: number }; peer: { port: number } }) =>
    `${s.protocol} ${s.state} ${s.local.address}:${s.local.port} ${s.peer.port}`;
  const a = parseSs(fx('scenario-plain.txt')).map(key).sort();
  const b = parseSs(fx('scenario-basic.txt')).map(key).sort();
  assert.deepEqual(a, b);
});

test('escape bytes in process names are kept raw (escaped when shown), bound devices recorded', () => {
  const socks = parseSs(fx('escape-and-device.txt'));
  assert.equal(socks.length, 2);
  assert.equal(socks[0].processes[0].name, 'ev\x1b[31mil red');
  assert.equal(socks[0].boundDevice, 'lo');
  assert.equal(socks[0].local.address, '0.0.0.0');
  assert.equal(socks[1].local.address, '::');
  assert.equal(socks[1].boundDevice, 'lo');
});

test('hand-written edge cases: scoped IPv6, every state, timers, unix peers with spaces, tcp_info fields', () => {
  const socks = parseSs(fx('hand-edge-cases.txt'));
  assert.equal(socks.length, 12, 'the truncated last line is dropped');
  const [ssh, est, synSent, fin1, lastAck, closing, synRecv, ux, seq, unnamed, rich, mapped] = socks;
  assert.deepEqual(ssh.local, { address: 'fe80::1', port: 22, scope: 'eth0' });
  assert.equal(est.peer.scope, 'enp0s3');
  assert.equal(est.uid, 1000);
  assert.deepEqual(
    est.processes.map((p) => p.pid),
    [900, 902],
  );
  assert.equal(synSent.state, 'SYN_SENT');
  assert.deepEqual(synSent.timer, { name: 'on', expiresMs: 1020, retrans: 2 });
  assert.equal(fin1.state, 'FIN_WAIT1');
  assert.equal(fin1.timer?.expiresMs, 125_000);
  assert.equal(lastAck.state, 'LAST_ACK');
  assert.equal(closing.state, 'CLOSING');
  assert.equal(synRecv.state, 'SYN_RECV');
  assert.equal(ux.local.address, '/run/my app/ctl.sock');
  assert.equal(ux.peer.address, '/run/peer dir/x');
  assert.equal(ux.inode, 31000);
  assert.equal(ux.processes[0].name, 'a,b');
  assert.equal(seq.unixType, 'seqpacket');
  assert.equal(unnamed.local.address, '');
  assert.equal(unnamed.processes[0].name, 'x (y)');
  assert.equal(rich.cookie, '18446744073709551615');
  assert.equal(rich.uid, 33);
  assert.deepEqual(rich.skmem?.sndbuf, 2626560);
  const ti = rich.tcpInfo!;
  assert.equal(ti.rttUs, 500);
  assert.equal(ti.rttVarUs, 250);
  assert.equal(ti.congestion, 'cubic');
  assert.equal(ti.ssthresh, 7);
  assert.equal(ti.totalRetrans, 2);
  assert.equal(ti.retrans, 0);
  assert.equal(ti.bytesAcked, 937);
  assert.equal(ti.bytesReceived, 2000);
  assert.equal(ti.deliveryRate, 100_000);
  assert.equal(ti.rwndLimitedUs, 20_000);
  assert.equal(ti.sndbufLimitedUs, 5_000);
  assert.equal(ti.busyUs, 30_000);
  assert.equal(mapped.local.address, '10.1.2.3');
  assert.equal(mapped.peer.address, '198.51.100.7');
});

test('empty and truncated output', () => {
  assert.deepEqual(parseSs(fx('empty.txt')), []);
  const t = parseSs(fx('truncated.txt'));
  assert.ok(t.length <= 1);
  assert.equal(parseSsLine('tcp LISTEN'), null);
  assert.equal(parseSsLine('sctp LISTEN 0 5 1.2.3.4:5 0.0.0.0:*'), null);
  assert.equal(parseSsLine('tcp BOGUS 0 5 1.2.3.4:5 0.0.0.0:*'), null);
});

test('ss drops the Netid column for one socket type: the caller says which', () => {
  const line = 'LISTEN 0      128    127.0.0.1:45175   0.0.0.0:*     users:(("sshd",pid=32103,fd=3)) ino:298501 sk:1354 cgroup:/ <->\n';
  assert.deepEqual(parseSs(line), []);
  const [s] = parseSs(line, 'tcp');
  assert.equal(s.protocol, 'tcp');
  assert.equal(s.state, 'LISTEN');
  assert.equal(s.local.port, 45175);
  assert.equal(s.processes[0].pid, 32103);
  const [u] = parseSs('UNCONN 0      0      127.0.0.1:53   0.0.0.0:*\n', 'udp');
  assert.equal(u.protocol, 'udp');
  assert.equal(u.state, 'CLOSE');
});


test('unix names as ss prints them: newlines (a record over several lines), tabs, runs of spaces and a trailing space are kept', () => {
  for (const file of ['unix-names.txt', 'unix-names-p.txt']) {
    const bytes = Buffer.from(fx(file));
    for (const size of [bytes.length, 1, 5, 64]) {
      const p = new SsStreamParser();
      for (let i = 0; i < bytes.length; i += size) p.push(bytes.subarray(i, i + size));
      const socks = p.end();
      assert.deepEqual(
        socks.map((s) => [s.state, s.inode, s.local.address]),
        UNIX_NAMES,
        `${file} in chunks of ${size}`,
      );
      assert.equal(p.unreadLines, 0, `${file}: every line read`);
    }
  }
  const [listener] = parseSs(fx('unix-names-p.txt'));
  assert.deepEqual(listener.processes.map((x) => x.fd), [3], 'the users:(...) after the continuation line');
  const queue = parseSs(fx('unix-names.txt')).find((s) => s.local.address === '@queue')!;
  assert.equal(queue.recvQ, 3, 'accept queue');
  assert.equal(queue.sendQ, 2, 'backlog');
  const client = parseSs(fx('unix-names.txt')).find((s) => s.inode === 51307702)! as Socket & { peerInode?: number };
  assert.equal(client.peerInode, 51307703);
});

test('lines that give no socket are counted, not silently dropped', () => {
  const p = new SsStreamParser();
  p.push(
    Buffer.from(
      [
        'tcp ESTAB 0 0 1.2.3.4:5 6.7.8.9:10 ino:1 sk:2', // fast path
        'sctp LISTEN 0 5 1.2.3.4:5 0.0.0.0:*', // a record of an unknown netid
        'u_str LISTEN 0 4 /tmp/cut', // a unix record cut short ...
        'more of it', // ... and its continuation, still no record
        '', // blank lines are no records
        'u_str ESTAB 0 0 * 1 * 2', // read
        'tcp ESTAB 0 0 1.2.3.4:5 6.7.8.9:11 ino:1 sk:3',
        'tcp ESTAB 0 0 1.2.3.4:', // cut by the end of output
      ].join('\n'),
    ),
  );
  const socks = p.end();
  assert.deepEqual(
    socks.map((s) => s.protocol),
    ['tcp', 'unix', 'tcp'],
  );
  assert.equal(p.unreadLines, 4);
  const q = new SsStreamParser('tcp');
  q.push(Buffer.from('LISTEN 0 128 127.0.0.1:80 0.0.0.0:* users:(("a\nb",pid=1,fd=3)) ino:5 sk:6\nESTAB 0 0 1.2.3.4:5 6.7.8.9:10\n'));
  const [l, e] = q.end();
  assert.deepEqual(l.processes, [{ name: 'a\nb', pid: 1, fd: 3 }], 'a newline in a process name (-p) continues its record too');
  assert.equal(e.state, 'ESTABLISHED');
  assert.equal(q.unreadLines, 0);
});

test('window scaling: wscale:a,b among the tcp_info options is scaling in use; tcp_info without it is scaling not negotiated', () => {
  // ss prints wscale only with tcpi_options TCPI_OPT_WSCALE. `off`: ss -tnHi on loopback in a namespace
  // with net.ipv4.tcp_window_scaling=0 (session 11; its detail line joined on). `zero`: the same with the
  // wscale:7,0 ss prints when scaling is negotiated and this side's scale is 0 (a small SO_RCVBUF).
  const detail = 'rto:204 rtt:0.019/0.009 ato:40 mss:32747 pmtu:65535 rcvmss:1000 advmss:65483 cwnd:10 bytes_received:1000 segs_out:1 segs_in:3 data_segs_in:1 bbr:(bw:0bps,mrtt:0.019) send 137882105263bps lastsnd:904 lastrcv:904 lastack:904 pacing_rate 394046559432bps delivered:1 app_limited rcv_space:65483 rcv_ssthresh:70173 minrtt:0.019 snd_wnd:65495';
  const off = `ESTAB 0      0      127.0.0.1:5201  127.0.0.1:51506 bbr ${detail}`;
  const zero = `ESTAB 0      0      127.0.0.1:5201  127.0.0.1:51506 ts sack bbr wscale:7,0 ${detail}`;
  const noInfo = 'ESTAB 0      0      127.0.0.1:5201  127.0.0.1:51506';
  const pick = (s: Socket | null) => [s?.tcpInfo?.windowScaling, s?.tcpInfo?.sndWscale, s?.tcpInfo?.rcvWscale];
  for (const parse of [(l: string) => parseSsLine(l, 'tcp'), (l: string) => { const p = new SsStreamParser('tcp'); p.push(Buffer.from(`${l}\n`)); return p.end()[0] ?? null; }]) {
    assert.deepEqual(pick(parse(off)), [false, 0, 0]);
    assert.deepEqual(pick(parse(zero)), [true, 7, 0]);
    // No tcp_info printed (no -i): nothing is known about scaling.
    assert.deepEqual(pick(parse(noInfo)), [undefined, undefined, undefined]);
  }
});

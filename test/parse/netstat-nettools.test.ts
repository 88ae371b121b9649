import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseNetTools, parseNetToolsInetLine, parseNetToolsTimer, parseNetToolsUnixLine } from '../../src/parse/netstat-nettools.js';
import { parseHostPort, parsePidProgram } from '../../src/parse/netstat-common.js';

const fx = (name: string): string => readFileSync(new URL(`../fixtures/netstat-nettools/${name}`, import.meta.url), 'utf8');
const sc = JSON.parse(fx('scenario.json'));

test('endpoints and PID/Program fields', () => {
  assert.deepEqual(parseHostPort('127.0.0.1:8080', ':'), { address: '127.0.0.1', port: 8080, v6: false });
  assert.deepEqual(parseHostPort(':::*', ':'), { address: '::', port: 0, v6: true });
  assert.deepEqual(parseHostPort('0.0.0.0:*', ':'), { address: '0.0.0.0', port: 0, v6: false });
  assert.deepEqual(parseHostPort('::ffff:10.0.0.5:443', ':'), { address: '10.0.0.5', port: 443, v6: true });
  assert.deepEqual(parseHostPort('fe80::1%eth0:22', ':'), { address: 'fe80::1', port: 22, scope: 'eth0', v6: true });
  assert.equal(parseHostPort('host.example:80', ':'), null);
  assert.equal(parseHostPort('1.2.3.4:70000', ':'), null);
  assert.deepEqual(parsePidProgram('812/nginx: master'), { pid: 812, name: 'nginx: master', fd: -1 });
  assert.equal(parsePidProgram('-'), undefined);
});

test('live capture with -e: states, queues, uid, inode, owner, IPv6, mapped shown as IPv4', () => {
  const socks = parseNetTools(fx('scenario-tunaepW.txt'));
  const at = (port: number, state: string) => socks.filter((s) => s.local.port === port && s.state === state);
  const l = at(sc.listener.port, 'LISTEN')[0];
  assert.deepEqual([l.inode, l.uid, l.sendQUnknown, l.processes.map((p) => p.pid)], [sc.listener.inode, 0, true, [sc.pid]]);
  assert.equal(at(sc.acceptQueue.port, 'LISTEN')[0].recvQ, sc.acceptQueue.pending);
  assert.deepEqual(at(sc.acceptQueue.port, 'LISTEN')[0].processes.map((p) => [p.pid, p.name]), [[sc.acceptQueue.pid, 'sleep']]);
  const shared = at(sc.shared.port, 'LISTEN')[0];
  assert.equal(shared.processes.length, 1, 'net-tools names only one of the processes sharing a socket');
  assert.ok(sc.shared.pids.includes(shared.processes[0].pid));
  assert.equal(at(sc.established.port, 'ESTABLISHED')[0].recvQ, sc.established.bytesQueued);
  assert.equal(at(sc.closeWait.port, 'CLOSE_WAIT')[0].recvQ, 1);
  assert.equal(at(sc.closeWait.clientPort, 'FIN_WAIT2').length, 1);
  const tw = at(sc.timeWait.port, 'TIME_WAIT');
  assert.equal(tw.length, sc.timeWait.count);
  assert.deepEqual(tw[0].processes, [], "'-' means no owner");
  const udp = socks.find((s) => s.protocol === 'udp')!;
  assert.deepEqual([udp.state, udp.local.port, udp.inode, udp.ipVersion], ['CLOSE', sc.udp.port, sc.udp.inode, 4]);
  const six = at(sc.ipv6.port, 'LISTEN')[0];
  assert.deepEqual([six.ipVersion, six.local.address, six.peer.address], [6, '::1', '::']);
  const mapped = socks.find((s) => s.local.port === sc.dualStack.port && s.state === 'ESTABLISHED')!;
  assert.deepEqual([mapped.ipVersion, mapped.local.address, mapped.peer.port], [6, '127.0.0.1', sc.dualStack.clientPort]);
});

test('live capture without -e: same sockets, no uid or inode', () => {
  const withE = parseNetTools(fx('scenario-tunaepW.txt'));
  const without = parseNetTools(fx('scenario-tunapW.txt'));
  const key = (s: (typeof withE)[number]) => `${s.protocol}${s.ipVersion} ${s.state} ${s.local.address}:${s.local.port} ${s.peer.address}:${s.peer.port} ${s.recvQ}/${s.sendQ} ${s.processes.map((p) => p.pid)}`;
  assert.deepEqual(without.map(key).sort(), withE.map(key).sort());
  assert.ok(without.every((s) => s.inode === undefined && s.uid === undefined));
});

test('process names with spaces, quotes, parentheses, commas and escape bytes (argv[0], cut to 19 characters)', () => {
  const socks = parseNetTools(fx('names-tunaepW.txt'));
  assert.deepEqual(
    socks.map((s) => [s.local.port, s.processes[0]?.name]),
    [
      [47011, 'my "srv" (x),'],
      [47013, 'a-very-long-pr'],
      [47012, 'esc\x1b[31mred'],
      [47014, 'nginx: master'],
      [47015, 'srv,v2'],
    ],
  );
});

test('unix sockets: live capture (net-tools cuts paths at a space) and edge lines', () => {
  const live = parseNetTools(fx('scenario-xanp.txt'));
  const l = live.find((s) => s.inode === sc.unix.listenerInode)!;
  assert.equal(l.state, 'LISTEN');
  assert.equal(l.local.address, sc.unix.path.split(' ')[0]);
  assert.deepEqual(l.processes.map((p) => p.pid), [sc.pid]);
  // netstat -x prints no queue lengths: unknown, except a listener's accept queue (counted from its waiting connections).
  assert.ok(live.filter((s) => s.protocol === 'unix').every((s) => s.sendQUnknown && (s.state === 'LISTEN') === !s.recvQUnknown));
  const edge = parseNetTools(fx('edge-xanp.txt'));
  assert.deepEqual(
    edge.map((s) => [s.inode, s.state, s.unixType, s.local.address, s.processes[0]?.pid ?? null, s.processes[0]?.name ?? null]),
    [
      [12001, 'LISTEN', 'stream', '/run/my', 1, 'systemd'],
      [12002, 'LISTEN', 'stream', '@/tmp/.X11-unix/X0', 2211, 'Xorg'],
      [12003, 'CLOSE', 'dgram', '@@@abstract', null, null],
      [12004, 'ESTABLISHED', 'stream', '', 812, 'nginx: master'],
      [4123456789, 'LISTEN', 'seqpacket', '/run/seq', 901, 'my "srv" (x), y'],
      [12007, 'SYN_SENT', 'stream', '', 1301, '\x1b[31mred'],
      [12008, 'ESTABLISHED', 'dgram', '/run/systemd/journal/dev-log', 455, 'systemd-journal'],
    ],
  );
  assert.equal(parseNetToolsUnixLine('unix  2      [ ACC ]     STREAM     LISTENING     1200', true), null);
});

test('empty and truncated output', () => {
  assert.deepEqual(parseNetTools(fx('empty.txt')), []);
  const t = parseNetTools(fx('truncated-tunaepW.txt'));
  assert.ok(t.length > 0);
  assert.ok(t.every((s) => s.local.port > 0));
  assert.equal(parseNetToolsInetLine('tcp        0      0 127.0.0.1:3', { extended: true, program: true }), null);
  assert.equal(parseNetToolsInetLine('tcp        0      0 127.0.0.1:80 0.0.0.0:* BOGUS 0 1 -', { extended: true, program: true }), null);
});

// netstat -o (--timers), captured from net-tools 2.10 on Linux 6.18 in a fresh network namespace holding (ports in
// the capture): a sender to a receiver that never reads (Send-Q 3782144 to 51071: probe, the zero-window
// persist timer), an idle SO_KEEPALIVE client (to 46811), a SYN_SENT to a listen(0) whose accept queue is
// full (to 42117, two SYN retransmissions), a TIME_WAIT (49740) and a UDP socket. ss -tanoOH at the same
// moment: timer:(persist,1.132ms,0), (keepalive,9min57sec,0), (on,788ms,2), (timewait,57sec,0).
test('netstat -o: each timer kind as ss -o names it (probe is persist; off is no timer), with and without -p', () => {
  // the two captures were taken 70 ms apart: -o first
  const expires = { 'timers-tuaneWo.txt': [1210, 597780, 870, 57840], 'timers-tuaneWpo.txt': [1140, 597710, 800, 57760] };
  for (const [name, [persist, keepalive, on, timewait]] of Object.entries(expires)) {
    const socks = parseNetTools(fx(name));
    assert.equal(socks.length, 13, name);
    const one = (pred: (s: (typeof socks)[number]) => boolean) => socks.filter(pred).map((s) => s.timer);
    assert.deepEqual(one((s) => s.peer.port === 51071 && s.sendQ === 3782144), [{ name: 'persist', expiresMs: persist, retrans: 0 }], name);
    assert.deepEqual(one((s) => s.peer.port === 46811), [{ name: 'keepalive', expiresMs: keepalive, retrans: 0 }], name);
    assert.deepEqual(one((s) => s.state === 'SYN_SENT'), [{ name: 'on', expiresMs: on, retrans: 2 }], name);
    assert.deepEqual(one((s) => s.state === 'TIME_WAIT'), [{ name: 'timewait', expiresMs: timewait, retrans: 0 }], name);
    assert.equal(socks.filter((s) => s.timer).length, 4, 'off (0.00/0/0) is no timer');
    const udp = socks.find((s) => s.protocol === 'udp')!;
    assert.deepEqual([udp.state, udp.local.port, udp.inode, udp.timer], ['CLOSE', 54505, 60590131, undefined]);
    // the Timer column is not read as part of the inode or the program name
    const syn = socks.find((s) => s.state === 'SYN_SENT')!;
    assert.equal(syn.inode, 60590120);
    if (name.endsWith('po.txt')) assert.deepEqual(syn.processes, [{ pid: 31881, name: 'python3', fd: -1 }]);
  }
  // the same sockets as without -o
  const key = (s: ReturnType<typeof parseNetTools>[number]) => `${s.protocol} ${s.state} ${s.local.port} ${s.peer.port} ${s.recvQ}/${s.sendQ} ${s.inode}`;
  const plain = fx('timers-tuaneWo.txt').replace(/ +Timer$/m, '').replace(/ (off|on|keepalive|timewait|probe) \([^)]*\)$/gm, '');
  assert.deepEqual(parseNetTools(fx('timers-tuaneWo.txt')).map(key), parseNetTools(plain).map(key));
});

test('netstat -o timer text: counts, unknown kinds, expired timers, a decimal comma', () => {
  // retrans: icsk_retransmits for on and timewait, icsk_probes_out (the third number) for keepalive and probe, as inet_diag's idiag_retrans
  assert.deepEqual(parseNetToolsTimer('on (0.20/3/0)'), { name: 'on', expiresMs: 200, retrans: 3 });
  assert.deepEqual(parseNetToolsTimer('keepalive (7.50/0/4)'), { name: 'keepalive', expiresMs: 7500, retrans: 4 });
  assert.deepEqual(parseNetToolsTimer('probe (0.18/0/2)'), { name: 'persist', expiresMs: 180, retrans: 2 });
  assert.deepEqual(parseNetToolsTimer('timewait (59.99/0/0)'), { name: 'timewait', expiresMs: 59990, retrans: 0 });
  assert.deepEqual(parseNetToolsTimer('unkn-7 (1.00/1/0)'), { name: 'unknown', expiresMs: 1000, retrans: 1 });
  assert.deepEqual(parseNetToolsTimer('on1 (0.50/0/0)'), { name: 'on', expiresMs: 500, retrans: 0 }, "net-tools' UDP form");
  // an expired timer that an old kernel printed as a negative clock_t, read unsigned by netstat
  assert.deepEqual(parseNetToolsTimer('on (184467440737095504.00/5/0)'), { name: 'on', expiresMs: 0, retrans: 5 });
  assert.deepEqual(parseNetToolsTimer('on (0,25/1/0)'), { name: 'on', expiresMs: 250, retrans: 1 });
  assert.equal(parseNetToolsTimer('off (0.00/0/0)'), undefined);
  assert.equal(parseNetToolsTimer('soon (1.00/0/0)'), undefined);
});

test('netstat -o: the timer is read from the end of the line, after a program name that may hold anything', () => {
  const cols = { extended: true, program: true, timer: true };
  const evil = parseNetToolsInetLine('tcp        0    100 127.0.0.1:5000          127.0.0.1:80            ESTABLISHED 0          4242       7/x on (9.99/9/9)     off (0.00/0/0)', cols)!;
  assert.deepEqual([evil.inode, evil.processes[0]?.name, evil.timer], [4242, 'x on (9.99/9/9)', undefined]);
  const probe = parseNetToolsInetLine('tcp        0 500000 127.0.0.1:5000          127.0.0.1:80            ESTABLISHED 0          4242       -                    probe (0.40/0/3)', cols)!;
  assert.deepEqual([probe.processes, probe.timer], [[], { name: 'persist', expiresMs: 400, retrans: 3 }]);
  // no -e, no -p: the timer follows the state (or the blank state of UDP)
  const bare = { extended: false, program: false, timer: true };
  assert.deepEqual(parseNetToolsInetLine('tcp        0      1 10.0.0.2:41000          10.0.0.9:443            SYN_SENT    on (3.10/4/0)', bare)?.timer, { name: 'on', expiresMs: 3100, retrans: 4 });
  assert.deepEqual(parseNetToolsInetLine('udp        0      0 127.0.0.1:53            0.0.0.0:*                           off (0.00/0/0)', bare)?.state, 'CLOSE');
  // a line cut before its timer (a program name holding a newline) still gives its socket
  assert.equal(parseNetToolsInetLine('tcp        0      0 127.0.0.1:5000          127.0.0.1:80            ESTABLISHED 0          4242       7/first', cols)?.processes[0]?.name, 'first');
});

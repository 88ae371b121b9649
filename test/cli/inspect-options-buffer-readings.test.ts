// Two over-claims of inspect-options' buffer verdicts (review s19, after 726a41e made a TCP buffer "fixed" where the
// value seemed to prove it), on real sockets held by python3, read as root through inspect-options:
// 1. SO_RCVLOWAT 1000000 on a fresh loopback connection raises the receive buffer to about twice it (tcp_set_rcvlowat,
//    no SOCK_RCVBUF_LOCK: autotuning stays on, the buffer grows to tcp_rmem[2] with data), and it was called "fixed,
//    autotuning off: the connection has received no data". SO_RCVLOWAT is now read along with SO_RCVBUF.
// 2. Buffers autotuning grew before tcp_[rw]mem[2] was lowered (32 MiB received, 3.76 MiB sent, then tcp_rmem[2] 8 MiB
//    and tcp_wmem[2] 1 MiB in the holder's own network namespace) were called "fixed with SO_RCVBUFFORCE" and "fixed"
//    and listed as unusual. They now name both readings; a FORCE'd connection that moved nothing is still proved fixed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { holderLine, labelledFds } from '../helpers/holder-line.js';
import { BIN, sockscope } from '../collect/getsockopt-helpers.js';

interface Row {
  name: string;
  value?: number;
  meaning: string;
  unusual?: string;
  readBecause?: string;
}

interface Read {
  rows: Record<string, Row>;
  unusual: string[];
  text: string;
}

/** inspect-options as JSON and as text; `netns`: run inside that pid's network namespace (nsenter). */
function read(pid: number, fd: number, options: string, netns?: number): Read {
  const args = ['inspect-options', '--pid', String(pid), '--socket-fd', String(fd), '--options', options];
  const run = (a: string[]) => {
    if (netns === undefined) return sockscope(a);
    const r = spawnSync('nsenter', [`--net=/proc/${netns}/ns/net`, process.execPath, BIN, ...a], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const j = run([...args, '--json']);
  assert.equal(j.status, 0, j.stderr);
  const doc = JSON.parse(j.stdout) as { options: Row[]; unusual: string[] };
  const t = run(args);
  assert.equal(t.status, 0, t.stderr);
  return { rows: Object.fromEntries(doc.options.map((o) => [o.name, o])), unusual: doc.unusual, text: t.stdout };
}

const LOWAT_HOLDER = `
import socket as S, os, time
l = S.socket(); l.bind(('127.0.0.1', 0)); l.listen(8)
def pair():
    c = S.socket(); c.connect(l.getsockname()); a, _ = l.accept()
    return c, a
lowat, a1 = pair()
lowat.setsockopt(S.SOL_SOCKET, S.SO_RCVLOWAT, 1000000)
locked, a2 = pair()
locked.setsockopt(S.SOL_SOCKET, S.SO_RCVBUF, 100000)
locked.setsockopt(S.SOL_SOCKET, S.SO_RCVLOWAT, 1000)
print(os.getpid(), f'lowat={lowat.fileno()}', f'locked={locked.fileno()}', f'lowatbuf={lowat.getsockopt(S.SOL_SOCKET, S.SO_RCVBUF)}', flush=True)
time.sleep(60)`;

test('a receive buffer SO_RCVLOWAT raised on a connection with no data is not called fixed; SO_RCVLOWAT is read along with SO_RCVBUF', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'reading another process\'s socket needs root (as the CI runs)');
  const h = labelledFds(await holderLine(t, ['python3', '-c', LOWAT_HOLDER]));
  // tcp_space_from_win(1000000): 2000000 on 6.18 (scaling ratio 128 before data).
  const raised = h.fd.lowatbuf;
  assert.ok(raised > 1000000, `SO_RCVLOWAT raised the buffer: ${raised}`);
  for (const options of ['SO_RCVBUF', 'SO_RCVBUF,SO_RCVLOWAT']) {
    const r = read(h.pid, h.fd.lowat, options);
    const rcv = r.rows.SO_RCVBUF;
    assert.equal(rcv.value, raised);
    assert.equal(rcv.unusual, undefined, `${options}: ${rcv.unusual}`);
    assert.match(rcv.meaning, /; the connection has received no data, so autotuning has not grown it: raised by SO_RCVLOWAT 1000000 \(Linux grows a receive buffer that is not fixed to about twice the low-water mark, and autotuning stays on\), or setsockopt asked for exactly .*, which fixes it \(autotuning off\), or net\.ipv4\.tcp_rmem\[1\] was .* when the socket was created \(a socket keeps the default it started with: autotuning only raises it\): the value alone cannot tell$/);
    assert.doesNotMatch(r.text, /SO_RCVBUF fixed/);
    assert.equal(r.rows.SO_RCVLOWAT.value, 1000000);
    assert.equal(r.rows.SO_RCVLOWAT.readBecause, options === 'SO_RCVBUF' ? 'SO_RCVBUF' : undefined);
    if (options === 'SO_RCVBUF') assert.match(r.text, /^SO_RCVLOWAT +1000000 .*\[not asked for: read for SO_RCVBUF\]$/m);
  }
  // SO_RCVBUF 100000 set (locked: 200000), then SO_RCVLOWAT 1000, which cannot give 200000: set, or the default
  // tcp_rmem[1] when the socket was created (review s19 diffE); not called fixed.
  const l = read(h.pid, h.fd.locked, 'SO_RCVBUF');
  assert.equal(l.rows.SO_RCVBUF.value, 200000);
  assert.equal(l.rows.SO_RCVBUF.unusual, undefined);
  assert.match(l.rows.SO_RCVBUF.meaning, /the connection has received no data, so autotuning has not grown it: setsockopt asked for exactly 97\.7 KiB, which fixes it \(autotuning off\), or net\.ipv4\.tcp_rmem\[1\] was 195 KiB when the socket was created/);
});

// In its own network namespace: the host's tcp_[rw]mem as the review had them, a FORCE'd connection that moves nothing,
// a bulk transfer until the receiver reaches tcp_rmem[2], then both sysctls lowered (lower.py of the review).
const LOWER_HOLDER = `
import socket, os, time
open('/proc/sys/net/ipv4/tcp_rmem', 'w').write('4096 131072 33554432')
open('/proc/sys/net/ipv4/tcp_wmem', 'w').write('4096 16384 4194304')
L = socket.socket(); L.bind(('127.0.0.1', 0)); L.listen(16)
f = socket.socket(); f.setsockopt(socket.SOL_SOCKET, 33, 16 << 20); f.setsockopt(socket.SOL_SOCKET, 32, 16 << 20)
f.connect(L.getsockname()); fa, _ = L.accept()
c2 = socket.socket(); c2.connect(L.getsockname()); s2, _ = L.accept(); c2.setblocking(False)
buf = b'x' * 1048576; t0 = time.time()
while time.time() - t0 < 8 and not (s2.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) >= 33554432 and c2.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) > 1048576):
    try: c2.send(buf)
    except BlockingIOError: pass
    try:
        while True: s2.recv(1 << 20, socket.MSG_DONTWAIT)
    except BlockingIOError: pass
time.sleep(0.2)
try:
    while True: s2.recv(1 << 20, socket.MSG_DONTWAIT)
except BlockingIOError: pass
open('/proc/sys/net/ipv4/tcp_rmem', 'w').write('4096 131072 8388608')
open('/proc/sys/net/ipv4/tcp_wmem', 'w').write('4096 16384 1048576')
print(os.getpid(), f'sender={c2.fileno()}', f'receiver={s2.fileno()}', f'forced={f.fileno()}', flush=True)
time.sleep(60)`;

test('buffers autotuning grew before tcp_[rw]mem[2] was lowered name both readings, not "fixed"; a FORCE\'d idle connection is still fixed', { timeout: 90_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'needs root (unshare -n, nsenter, SO_*BUFFORCE)');
  const h = labelledFds(await holderLine(t, ['unshare', '-n', 'sh', '-c', 'ip link set lo up && exec python3 -c "$0"', LOWER_HOLDER]));
  const lowered = { rcv: /above net\.ipv4\.tcp_rmem\[2\]=8 MiB, where autotuning stops: set .*, which fixes it \(autotuning off\), or grown by autotuning before net\.ipv4\.tcp_rmem\[2\] was lowered to 8 MiB, or net\.ipv4\.tcp_rmem\[1\] was .* when the socket was created \(.*\): the value alone cannot tell$/, snd: /above net\.ipv4\.tcp_wmem\[2\]=1 MiB, where autotuning stops: set .*, which fixes it \(autotuning off\), or grown by autotuning before net\.ipv4\.tcp_wmem\[2\] was lowered to 1 MiB, or net\.ipv4\.tcp_wmem\[1\] was .* when the socket was created \(.*\): the value alone cannot tell$/ };
  // From the host (as the review ran it: no kernel view of that namespace; tcp_info from TCP_INFO, read along with
  // SO_SNDBUF), then inside it (the kernel view's too).
  for (const netns of [undefined, h.pid]) {
    const where = netns === undefined ? 'from the host' : 'inside the namespace';
    const recv = read(h.pid, h.fd.receiver, 'SO_RCVBUF,SO_SNDBUF', netns);
    const send = read(h.pid, h.fd.sender, 'SO_RCVBUF,SO_SNDBUF', netns);
    const rcv = recv.rows.SO_RCVBUF;
    const snd = send.rows.SO_SNDBUF;
    assert.ok(rcv.value! > 8388608 && snd.value! > 1048576, `the transfer grew both past the lowered limits: ${rcv.value}, ${snd.value}`);
    assert.equal(rcv.unusual, undefined, `${where}: ${rcv.unusual}`);
    assert.equal(snd.unusual, undefined, `${where}: ${snd.unusual}`);
    // An odd receive buffer says autotuning outright; the even one (at the old tcp_rmem[2], as the review's 32 MiB) both.
    assert.match(rcv.meaning, rcv.value! % 2 === 1 ? /grown by autotuning while net\.ipv4\.tcp_rmem\[2\] was higher/ : lowered.rcv, where);
    assert.match(snd.meaning, lowered.snd, where);
    // The receiver's send buffer: tcp_sndbuf_expand gave it 2 * 10 segments at connection, above 1 MiB on loopback.
    const rs = recv.rows.SO_SNDBUF;
    assert.equal(rs.unusual, undefined, `${where}: ${rs.unusual}`);
    if (rs.value! > 1048576) assert.match(rs.meaning, lowered.snd, where);
    for (const r of [recv, send]) assert.doesNotMatch(r.text, /fixed at/, where);
  }
  // FORCE 16 MiB each on a connection that moved nothing: no longer proof (review s19 diffE): a socket created while
  // tcp_[rw]mem[1] was 32 MiB keeps 32 MiB with no setsockopt. Both readings and the old default, nothing unusual.
  for (const netns of [h.pid, undefined]) {
    const f = read(h.pid, h.fd.forced, 'SO_RCVBUF,SO_SNDBUF', netns);
    assert.equal(f.rows.SO_RCVBUF.value, 32 << 20);
    assert.equal(f.rows.SO_SNDBUF.value, 32 << 20);
    assert.deepEqual(f.unusual, []);
    assert.match(f.rows.SO_RCVBUF.meaning, /set with SO_RCVBUFFORCE .*, or net\.ipv4\.tcp_rmem\[1\] was 32 MiB when the socket was created/);
    assert.match(f.rows.SO_SNDBUF.meaning, /set with SO_SNDBUFFORCE .*, or net\.ipv4\.tcp_wmem\[1\] was 32 MiB when the socket was created/);
    if (netns === undefined) assert.equal(f.rows.TCP_INFO.readBecause, 'SO_SNDBUF');
  }
  // Without it (SO_RCVBUF alone from the host) nothing tells FORCE from autotuning before tcp_rmem[2] was lowered.
  const alone = read(h.pid, h.fd.forced, 'SO_RCVBUF');
  assert.equal(alone.rows.SO_RCVBUF.unusual, undefined);
  assert.match(alone.rows.SO_RCVBUF.meaning, lowered.rcv);
});

// review s19 diffE (hold.py): a connection opened while tcp_wmem was "4096 16M 16M" and tcp_rmem "4096 1M 32M", then
// the defaults restored. tcp_init_sock gave it 16 MiB / 1 MiB and no setsockopt ran; it was "SO_SNDBUF fixed at 16 MiB
// (set with SO_SNDBUFFORCE ...)" and "SO_RCVBUF fixed at 1 MiB", both unusual.
const OLD_DEFAULT_HOLDER = `
import socket, os, time
def w(k, v): open('/proc/sys/net/ipv4/' + k, 'w').write(v)
w('tcp_wmem', '4096 16777216 16777216'); w('tcp_rmem', '4096 1048576 33554432')
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen()
c = socket.create_connection(l.getsockname()); a, _ = l.accept()
w('tcp_wmem', '4096 16384 4194304'); w('tcp_rmem', '4096 131072 33554432')
print(os.getpid(), f'client={c.fileno()}', f'listener={l.fileno()}', flush=True)
time.sleep(60)`;

test('a buffer a socket kept from the tcp_[rw]mem[1] it was created under is not called fixed (review s19 diffE)', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'needs root (unshare -n)');
  const h = labelledFds(await holderLine(t, ['unshare', '-n', 'sh', '-c', 'ip link set lo up && exec python3 -c "$0"', OLD_DEFAULT_HOLDER]));
  for (const netns of [undefined, h.pid]) {
    const r = read(h.pid, h.fd.client, 'SO_SNDBUF,SO_RCVBUF', netns);
    assert.equal(r.rows.SO_SNDBUF.value, 16 << 20);
    assert.equal(r.rows.SO_RCVBUF.value, 1 << 20);
    assert.deepEqual(r.unusual, [], r.unusual.join('\n'));
    assert.doesNotMatch(r.text, /fixed at/);
    assert.match(r.rows.SO_SNDBUF.meaning, /, or net\.ipv4\.tcp_wmem\[1\] was 16 MiB when the socket was created \(a socket keeps the default it started with: autotuning only raises it\): the value alone cannot tell$/);
    assert.match(r.rows.SO_RCVBUF.meaning, /the connection has received no data, so autotuning has not grown it: setsockopt asked for exactly 512 KiB, which fixes it \(autotuning off\), or net\.ipv4\.tcp_rmem\[1\] was 1 MiB when the socket was created/);
    // The listener was created under the same defaults: its 16 MiB / 1 MiB are no proof either.
    const li = read(h.pid, h.fd.listener, 'SO_SNDBUF,SO_RCVBUF', netns);
    assert.deepEqual(li.unusual, [], li.unusual.join('\n'));
    assert.match(li.rows.SO_RCVBUF.meaning, /a listener has not autotuned .*, or net\.ipv4\.tcp_rmem\[1\] was 1 MiB when the socket was created/);
  }
});

// Option meanings checked on real loopback sockets (review s11 knowledge items 1-5): IP_FREEBIND on AF_INET6,
// TCP_MAXSEG of connecting and closed sockets and under a small peer window, TCP_WINDOW_CLAMP set before connect(),
// and the accept queue judged as the kernel does (full past the backlog; listen(0) holding one is full; said once).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startPythonHolder } from '../helpers/python-holder.js';
import { inspectSocketOptions } from '../../src/collect/getsockopt.js';
import { buildOptionsReport } from '../../src/knowledge/interpret-options.js';
import { formatInspect, inspectJson } from '../../src/cli/commands/inspect-options-run.js';

const HOLDER = String.raw`
import json, os, socket as S, sys, time
IP_FREEBIND, TCP_MAXSEG, TCP_WINDOW_CLAMP = 15, 2, 10
out = {'pid': os.getpid()}
keep = []
def k(s): keep.append(s); return s
# 1. AF_INET6 sockets with IP_FREEBIND set: [::1] (IPv6 only) and a dual-stack [::]
f6 = k(S.socket(S.AF_INET6, S.SOCK_STREAM)); f6.setsockopt(S.IPPROTO_IP, IP_FREEBIND, 1); f6.bind(('::1', 0)); f6.listen(4)
fd = k(S.socket(S.AF_INET6, S.SOCK_STREAM)); fd.setsockopt(S.IPPROTO_IPV6, S.IPV6_V6ONLY, 0); fd.setsockopt(S.IPPROTO_IP, IP_FREEBIND, 1); fd.bind(('::', 0)); fd.listen(4)
out['freebind6'] = f6.fileno(); out['freebindDual'] = fd.fileno()
# 2. listen(0) holding one connection: full, so the next client's SYN is dropped and it stays in SYN_SENT
def full_listener(fam, addr):
    l = k(S.socket(fam, S.SOCK_STREAM)); l.bind((addr, 0)); l.listen(0)
    c = k(S.socket(fam, S.SOCK_STREAM)); c.connect(l.getsockname()[:2])
    time.sleep(0.1)
    s = k(S.socket(fam, S.SOCK_STREAM)); s.setblocking(False)
    try: s.connect(l.getsockname()[:2])
    except BlockingIOError: pass
    return l, s
l4, syn4 = full_listener(S.AF_INET, '127.0.0.1')
l6, syn6 = full_listener(S.AF_INET6, '::1')
out['listen0'] = l4.fileno(); out['synSent4'] = syn4.fileno(); out['synSent6'] = syn6.fileno()
# 3. listen(2) holding 2: at its backlog, not past it (the kernel queues backlog + 1)
l2 = k(S.socket(S.AF_INET, S.SOCK_STREAM)); l2.bind(('127.0.0.1', 0)); l2.listen(2)
for _ in range(2): k(S.socket(S.AF_INET, S.SOCK_STREAM)).connect(l2.getsockname())
out['listen2'] = l2.fileno()
# 4. a connection the peer reset: CLOSE, TCP_MAXSEG still the MSS it used
srv = k(S.socket(S.AF_INET, S.SOCK_STREAM)); srv.bind(('127.0.0.1', 0)); srv.listen(4)
cl = k(S.socket(S.AF_INET, S.SOCK_STREAM)); cl.connect(srv.getsockname())
a, _ = srv.accept(); a.setsockopt(S.SOL_SOCKET, S.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00'); a.close()
time.sleep(0.1)
try: cl.recv(1)
except ConnectionResetError: pass
out['closedConn'] = cl.fileno()
# 5. TCP_WINDOW_CLAMP set on a socket that never connected (bound, so the kernel's socket lists have it)
wc = k(S.socket(S.AF_INET, S.SOCK_STREAM)); wc.setsockopt(S.IPPROTO_TCP, TCP_WINDOW_CLAMP, 100000); wc.bind(('127.0.0.1', 0))
out['clampUnconnected'] = wc.fileno()
# 6. a client of a server whose receive buffer is 4096 before listen(): the MSS is half the peer's window
small = k(S.socket(S.AF_INET, S.SOCK_STREAM)); small.setsockopt(S.SOL_SOCKET, S.SO_RCVBUF, 4096); small.bind(('127.0.0.1', 0)); small.listen(4)
sc = k(S.socket(S.AF_INET, S.SOCK_STREAM)); sc.connect(small.getsockname()); k(small.accept()[0])
out['smallWindowClient'] = sc.fileno()
print(json.dumps(out), flush=True)
sys.stdin.read()
`;

type Holder = Record<string, number>;

const startHolder = (t: { after: (fn: () => void) => void }) => startPythonHolder<Holder>(t, HOLDER);

const read = async (h: Holder, fd: string, options: string[]) => {
  const r = await inspectSocketOptions({ pid: h.pid, fd: h[fd], options });
  assert.equal(r.method, 'pidfd_getfd', r.methodNote);
  return { r, ...buildOptionsReport(r) };
};

test('option meanings on real sockets (review s11 knowledge items 1-5)', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test borrows another process\'s sockets and must run as root (as the CI does)');
  const h = await startHolder(t);

  await t.test('IP_FREEBIND set on AF_INET6 sockets reads as on, once, with its finding', async () => {
    for (const fd of ['freebind6', 'freebindDual']) {
      const { rows, unusual } = await read(h, fd, ['IP_FREEBIND']);
      assert.equal(rows.length, 1, `${fd}: one reading of one flag: ${JSON.stringify(rows)}`);
      assert.equal(rows[0].value, true, fd);
      assert.equal(rows[0].display, 'on (1)', fd);
      assert.equal(rows[0].readAs, undefined, fd);
      assert.match(rows[0].meaning, /may bind addresses not \(yet\) configured/, fd);
      assert.deepEqual(unusual, ['IP_FREEBIND is on: the socket may be bound to an address this host does not have'], fd);
    }
  });

  await t.test('TCP_MAXSEG: nothing set on a connecting socket is not "set before connect()"; a closed connection is the MSS it used', async () => {
    for (const [fd, expect] of [['synSent4', 524], ['synSent6', 1208]] as const) {
      const { r, rows } = await read(h, fd, ['TCP_MAXSEG']);
      assert.equal(r.socket.state, 'SYN_SENT', fd);
      assert.equal(rows[0].value, expect, fd);
      assert.doesNotMatch(rows[0].meaning, /set before connect/, fd);
      assert.match(rows[0].meaning, /not set; the kernel's default clamp until the SYN-ACK/, fd);
    }
    const { r, rows } = await read(h, 'closedConn', ['TCP_MAXSEG', 'TCP_INFO']);
    assert.equal(r.socket.state, 'CLOSE');
    assert.ok((rows[0].value as number) > 1220, `the old loopback MSS, got ${rows[0].value}`);
    assert.doesNotMatch(rows[0].meaning, /set before connect/);
    assert.match(rows[0].meaning, /the MSS its connection used/);
  });

  await t.test('TCP_WINDOW_CLAMP set on a socket that never connected is the application\'s clamp', async () => {
    const { r, rows } = await read(h, 'clampUnconnected', ['TCP_WINDOW_CLAMP', 'SO_RCVBUF', 'TCP_INFO']);
    assert.equal(r.socket.state, 'CLOSE');
    assert.equal(rows[0].value, 100000);
    assert.doesNotMatch(rows[0].meaning, /the kernel sets it from the receive buffer/);
    assert.match(rows[0].meaning, /set before connect\(\): the connection will advertise at most 100000 bytes/);
    assert.match(rows[0].unusual!, /^TCP_WINDOW_CLAMP 100000 set before connect\(\)/);
  });

  await t.test('TCP_MAXSEG bounded by half the peer\'s small window: the finding names that cause', async () => {
    const { rows } = await read(h, 'smallWindowClient', ['TCP_MAXSEG', 'TCP_INFO']);
    const mss = rows[0].value as number;
    assert.ok(mss <= 4096, `MSS ${mss}`);
    assert.match(rows[0].unusual ?? '', /the peer advertises a small receive window \(the MSS is at most half of it\)/);
  });

  await t.test('accept queue: full only past the backlog; listen(0) with one queued is full; said once', async () => {
    const two = await read(h, 'listen2', ['TCP_INFO']);
    assert.match(two.rows[0].display, /accept queue 2\/2/);
    assert.deepEqual(two.unusual, [], 'listen(2) holding 2 still queues a third');
    const two2 = formatInspect({ ...two.r });
    assert.doesNotMatch(two2, /accept queue full/);

    const zero = await read(h, 'listen0', ['TCP_INFO']);
    assert.match(zero.rows[0].display, /accept queue 1\/0/);
    assert.deepEqual(zero.unusual, ['accept queue full (1/0): new connections are dropped']);
    const text = formatInspect(zero.r);
    assert.match(text, /^kernel view: recv-q 1, send-q 0/m, 'the kernel view judges the same queue');
    assert.equal(text.match(/accept queue full/g)?.length, 2, `the row's line and one Unusual entry:\n${text}`);
    const json = inspectJson(zero.r) as { unusual: string[] };
    assert.equal(json.unusual.filter((u) => /accept queue full/.test(u)).length, 1, JSON.stringify(json.unusual));
  });
});

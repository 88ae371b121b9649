// A listener's sk_drops (skmem d) under TCP_DEFER_ACCEPT: the bare handshake ACKs the option discards on purpose
// are counted there (tcp_check_req returns no socket, tcp_v4_rcv discards the ACK with sk_drops_add on the
// listener) and in TcpExtTCPDeferAcceptDrop, not in TcpExtListenOverflows. inspect-options blamed every listener's
// drops on a full accept queue; it now names TCP_DEFER_ACCEPT when it read it set, and both causes when it did not
// read it. Real sockets in a network namespace the test creates (its counters are this test's alone), read through
// the built CLI. Needs root and iproute2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { holderLine } from '../helpers/holder-line.js';
import { createNetns, deleteNetns } from '../helpers/netns.js';
import { kernelViewFindings } from '../../src/knowledge/interpret-options.js';

// A listener with TCP_DEFER_ACCEPT 5 (or `defer`), three clients that each send one byte 50 ms after connecting,
// all accepted; prints its port and the namespace's TcpExt counters' rise (the kernel facts the wording rests on).
const HOLDER = String.raw`
import json, socket as S, sys, time
def ext():
    t = open('/proc/net/netstat').read().split('\n'); d = dict(zip(t[0].split(), t[1].split()))
    return {k: int(d[k]) for k in ('TCPDeferAcceptDrop', 'ListenOverflows', 'ListenDrops')}
before = ext()
l = S.socket(); l.setsockopt(S.IPPROTO_TCP, S.TCP_DEFER_ACCEPT, int(sys.argv[1])); l.bind(('127.0.0.1', 0)); l.listen(128)
cs = []
for _ in range(3):
    c = S.socket(); c.connect(l.getsockname()); time.sleep(0.05); c.send(b'x'); cs.append(c)
time.sleep(0.3)
a = [l.accept()[0] for _ in range(3)]
after = ext()
print(json.dumps({'port': l.getsockname()[1], 'defer': l.getsockopt(S.IPPROTO_TCP, S.TCP_DEFER_ACCEPT), 'rise': {k: after[k] - before[k] for k in after}}), flush=True)
time.sleep(60)
`;

interface Doc {
  options: { name: string; value?: unknown }[];
  unusual: string[];
  kernelView?: { state: string; recvQ: number; sendQ: number; skmem?: { drops?: number } };
}

test('a TCP_DEFER_ACCEPT listener\'s drops are its discarded ACKs, not an accept-queue overflow; unread, both causes are named (real sockets)', { timeout: 60_000 }, async (t) => {
  const ns = `ssdefer${process.pid}`;
  t.after(() => deleteNetns(ns));
  createNetns(ns);
  const h = JSON.parse(await holderLine(t, ['ip', 'netns', 'exec', ns, 'python3', '-c', HOLDER, '5'])) as { port: number; defer: number; rise: Record<string, number> };
  // The kernel facts (6.x): each discarded bare ACK counts in TCPDeferAcceptDrop; the queue never overflowed.
  assert.equal(h.rise.TCPDeferAcceptDrop, 3, JSON.stringify(h.rise));
  assert.equal(h.rise.ListenOverflows, 0, JSON.stringify(h.rise));
  assert.equal(h.rise.ListenDrops, 0, JSON.stringify(h.rise));
  assert.ok(h.defer > 0);

  const read = (options?: string): Doc => {
    const r = sockscope(['inspect-options', '--port', String(h.port), ...(options ? ['--options', options] : []), '--json'], { netns: ns });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as Doc;
  };
  const drops = (d: Doc) => d.unusual.filter((u) => /^the kernel dropped/.test(u));

  // TCP_DEFER_ACCEPT read (asked for, or in the full read): its discarded ACKs, the counter to confirm, no overflow claimed.
  for (const doc of [read('TCP_DEFER_ACCEPT'), read()]) {
    // ... and the listener's sk_drops counts those ACKs: 3 drops, queue 0 of 128.
    assert.equal(doc.kernelView?.skmem?.drops, 3);
    assert.equal(doc.kernelView?.recvQ, 0);
    const [d] = drops(doc);
    assert.match(d, /^the kernel dropped 3 packet\(s\) for this socket \(skmem d\): likely the bare handshake ACKs TCP_DEFER_ACCEPT \(\d+ s\) discards on purpose/);
    assert.match(d, /TcpExtTCPDeferAcceptDrop/);
    assert.match(d, /not an accept-queue overflow/);
    assert.doesNotMatch(d, /SYNs or connections dropped while the accept queue was full/);
  }

  // Not read: neither cause is claimed alone.
  const [unread] = drops(read('TCP_NODELAY'));
  assert.match(unread, /^the kernel dropped 3 packet\(s\) for this socket \(skmem d\): /);
  assert.match(unread, /accept queue was full/);
  assert.match(unread, /TCP_DEFER_ACCEPT is set \(it was not read\)/);
  assert.match(unread, /TcpExtTCPDeferAcceptDrop/);
  assert.match(unread, /TcpExtListenOverflows/);
  const text = sockscope(['inspect-options', '--port', String(h.port), '--options', 'TCP_NODELAY'], { netns: ns });
  assert.equal(text.status, 0, text.stderr);
  assert.doesNotMatch(text.stdout, /dropped 3 packet\(s\) for this socket \(skmem d\): SYNs or connections dropped while the accept queue was full +\[/);
});

test('listener drops: TCP_DEFER_ACCEPT off names the accept queue; set with a full queue now names both', () => {
  const listener = { state: 'LISTEN', recvQ: 0, sendQ: 128, skmem: { rmemAlloc: 0, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 16384, drops: 7 } };
  const [off] = kernelViewFindings(listener, [{ name: 'TCP_DEFER_ACCEPT', value: 0 }]);
  assert.match(off, /^the kernel dropped 7 packet\(s\) for this socket \(skmem d\): SYNs or connections dropped while the accept queue was full/);
  assert.doesNotMatch(off, /TCP_DEFER_ACCEPT/);
  const [fullNow] = kernelViewFindings({ ...listener, recvQ: 129 }, [{ name: 'TCP_DEFER_ACCEPT', value: 7 }]);
  assert.match(fullNow, /TCP_DEFER_ACCEPT \(7 s\)/);
  assert.match(fullNow, /accept queue was full/);
  assert.doesNotMatch(fullNow, /not an accept-queue overflow/);
  // A connection's drops are not the accept queue's, whatever a listener option says (their causes:
  // inspect-options-connection-drops.test.ts).
  const [conn] = kernelViewFindings({ ...listener, state: 'ESTABLISHED' }, [{ name: 'TCP_DEFER_ACCEPT', value: 7 }]);
  assert.doesNotMatch(conn, /accept queue|TCP_DEFER_ACCEPT/);
  assert.match(conn, /TcpExtTCPRcvQDrop/);
});

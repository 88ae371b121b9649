// A TCP connection's sk_drops (skmem d) counts every segment it discarded, not only those a full receive queue
// refused. inspect-options said "the receive buffer was full" for any non-listener's drops: here a client whose one
// drop is the SYN-ACK a TCP_DEFER_ACCEPT listener retransmitted (TcpExtTCPSYNChallenge +1, TcpExtTCPRcvQDrop +0, rmem
// 0). It now names the full buffer alone only when the buffer is nearly full, and otherwise lists the causes with the
// nstat counters that tell them apart, in text and --json alike. Real sockets in a network namespace the test creates
// (its counters are this test's alone), read through the built CLI. Needs root and iproute2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { holderLine } from '../helpers/holder-line.js';
import { createNetns, deleteNetns } from '../helpers/netns.js';
import { kernelViewFindings } from '../../src/knowledge/interpret-options.js';

// A TCP_DEFER_ACCEPT 1 listener and a client that connects and sends nothing: the listener retransmits its SYN-ACK
// (about 1 s, then 3 s later), which the ESTABLISHED client discards. Prints its pid, the client's fd and the TcpExt
// counters' rise once the client's sk_drops (read with ss) is 1.
const HOLDER = String.raw`
import json, os, socket as S, subprocess, time
def ext():
    t = [l.split() for l in open('/proc/net/netstat').read().split('\n') if l.startswith('TcpExt:')]
    d = dict(zip(t[0], t[1]))
    return {k: int(d[k]) for k in ('TCPSYNChallenge', 'TCPRcvQDrop', 'TCPOFODrop', 'PAWSEstab')}
before = ext()
l = S.socket(); l.setsockopt(S.IPPROTO_TCP, S.TCP_DEFER_ACCEPT, 1); l.bind(('127.0.0.1', 0)); l.listen(8)
c = S.socket(); c.connect(l.getsockname())
for _ in range(100):
    out = subprocess.run(['ss', '-tmnH', 'src', '127.0.0.1:%d' % c.getsockname()[1]], capture_output=True, text=True).stdout
    if ',d1)' in out: break
    time.sleep(0.1)
after = ext()
print(json.dumps({'pid': os.getpid(), 'fd': c.fileno(), 'rise': {k: after[k] - before[k] for k in after}}), flush=True)
time.sleep(60)
`;

interface Doc {
  unusual: string[];
  kernelView?: { state: string; skmem?: { drops?: number; rmemAlloc: number; rcvbuf: number } };
}

test("a TCP connection's drops are not blamed on a full receive buffer that is empty: the causes and their counters are listed (real sockets)", { timeout: 60_000 }, async (t) => {
  const ns = `ssconndrop${process.pid}`;
  t.after(() => deleteNetns(ns));
  createNetns(ns);
  const h = JSON.parse(await holderLine(t, ['ip', 'netns', 'exec', ns, 'python3', '-c', HOLDER])) as { pid: number; fd: number; rise: Record<string, number> };
  // The kernel facts (6.x): the drop was the retransmitted SYN-ACK, not a full queue.
  assert.equal(h.rise.TCPSYNChallenge, 1, JSON.stringify(h.rise));
  assert.equal(h.rise.TCPRcvQDrop, 0, JSON.stringify(h.rise));

  const args = ['inspect-options', '--pid', String(h.pid), '--socket-fd', String(h.fd), '--options', 'SO_RCVBUF'];
  const j = sockscope([...args, '--json'], { netns: ns });
  assert.equal(j.status, 0, j.stderr);
  const doc = JSON.parse(j.stdout) as Doc;
  assert.equal(doc.kernelView?.state, 'ESTABLISHED');
  assert.equal(doc.kernelView?.skmem?.drops, 1);
  assert.equal(doc.kernelView?.skmem?.rmemAlloc, 0);
  const [d] = doc.unusual.filter((u) => /^the kernel dropped/.test(u));
  assert.ok(d, JSON.stringify(doc.unusual));
  assert.match(d, /^the kernel dropped 1 packet\(s\) for this socket \(skmem d\): not necessarily a full receive buffer \(it holds 0 of \d+ bytes now\): /);
  assert.doesNotMatch(d, /: the receive buffer was full$/);
  for (const counter of ['TcpExtTCPRcvQDrop', 'TcpExtTCPOFODrop', 'TcpExtPAWSEstab', 'TcpExtTCPSYNChallenge']) assert.match(d, new RegExp(counter));
  assert.match(d, /nstat -az /);

  // The text says the same, word for word.
  const text = sockscope(args, { netns: ns });
  assert.equal(text.status, 0, text.stderr);
  assert.ok(text.stdout.includes(`  - ${d}  [netlink]`), text.stdout);
});

test('connection drops: a nearly full buffer is named as the likely cause; a UDP socket keeps the full-buffer wording', () => {
  const conn = { state: 'ESTABLISHED', protocol: 'tcp', recvQ: 0, sendQ: 0, skmem: { rmemAlloc: 125000, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 16384, drops: 4 } };
  const [full, pct] = kernelViewFindings(conn);
  assert.match(full, /^the kernel dropped 4 packet\(s\) for this socket \(skmem d\): likely the receive buffer was full \(it holds 125000 of 131072 bytes now\), though /);
  assert.match(full, /TcpExtTCPRcvQDrop/);
  assert.match(pct, /receive buffer 95% full/);
  const [empty] = kernelViewFindings({ ...conn, skmem: { ...conn.skmem, rmemAlloc: 0 } });
  assert.match(empty, /not necessarily a full receive buffer \(it holds 0 of 131072 bytes now\)/);
  const [udp] = kernelViewFindings({ ...conn, protocol: 'udp', state: 'CLOSE' });
  assert.match(udp, /: the receive buffer was full$/);
});

// fin-wait2-accumulating led its fix with `sysctl -w net.ipv4.tcp_fin_timeout=15` even when none of the FIN_WAIT2
// sockets was orphaned: a client that shutdown(SHUT_WR) each connection and keeps it holds them, and
// tcp_fin_timeout applies to orphaned FIN_WAIT2 only. The sysctl is now suggested for orphaned ones only; for
// held ones the fix is the application's close() (and the peer that does not close).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { fakeSnapshot, incoming, listener, outgoing, proc } from '../helpers/fake-snapshot.js';
import { freeLowPort } from '../helpers/free-port.js';
import { startPythonHolder } from '../helpers/python-holder.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const fw = (snap: Snapshot) => evaluateRules(makeContext({ snapshot: snap })).find((r) => r.id === 'fin-wait2-accumulating')!;

test('fin-wait2-accumulating: tcp_fin_timeout only for orphaned sockets; held ones are the application\'s to close', () => {
  // Held (a socket file, a process): no sysctl.
  const held = fw(fakeSnapshot({ sockets: outgoing(120, '10.0.0.1', '10.0.0.9:9014', 'FIN_WAIT2', { inode: 500, processes: [proc(55, 'client')] }) }));
  assert.doesNotMatch(held.fix, /tcp_fin_timeout=/);
  assert.match(held.fix, /^They are not orphaned: client \(pid 55\) half-closed them \(shutdown\(SHUT_WR\)\) and still holds them, so tcp_fin_timeout does not apply: close\(\) each when done reading/);
  assert.match(held.evidence, /FIN_WAIT2 120 \(warning at 100\); 0 orphaned .*, 120 held by a process/);
  // Held, the owner not attributed (the monitor's home view): an inode is enough.
  const home = fw({ ...fakeSnapshot({ sockets: outgoing(120, '10.0.0.1', '10.0.0.9:9014', 'FIN_WAIT2', { inode: 500 }) }), attribution: { scope: 'listeners', complete: true, hiddenProcesses: 0 } });
  assert.doesNotMatch(home.fix, /tcp_fin_timeout=/);
  assert.match(home.message, /; a process still holds them \(half-closed/);
  // Orphaned only: the sysctl, for them.
  const orph = fw(fakeSnapshot({ sockets: [listener('0.0.0.0:8000', 128), ...incoming(150, '10.0.0.1:8000', 'FIN_WAIT2', { inode: 0 })] }));
  assert.match(orph.fix, /^150 orphaned FIN_WAIT2 sockets \(no process holds them\) last net\.ipv4\.tcp_fin_timeout \(60 s\): sysctl -w net\.ipv4\.tcp_fin_timeout=15 frees them sooner/);
  assert.doesNotMatch(orph.fix, /not orphaned/);
  // Already at 15 or below: nothing to lower.
  const low = fw(fakeSnapshot({ sysctls: { 'net.ipv4.tcp_fin_timeout': '10' }, sockets: [listener('0.0.0.0:8000', 128), ...incoming(150, '10.0.0.1:8000', 'FIN_WAIT2', { inode: 0 })] }));
  assert.doesNotMatch(low.fix, /sysctl -w/);
  // Mixed: both, each with its count.
  const mixed = fw(fakeSnapshot({
    sockets: [
      listener('0.0.0.0:8000', 128),
      ...incoming(100, '10.0.0.1:8000', 'FIN_WAIT2', { inode: 0 }),
      ...incoming(20, '10.0.0.1:8000', 'FIN_WAIT2', { inode: 77, processes: [proc(9, 'srv')] }, '10.1.0.4'),
    ],
  }));
  assert.match(mixed.message, /srv \(pid 9\) still holds 20 of them/);
  assert.match(mixed.fix, /^20 are not orphaned: .* 100 orphaned FIN_WAIT2 sockets .*tcp_fin_timeout=15/);
});

// 120 connections to a server that never closes; the client shutdown(SHUT_WR)s each and keeps it.
const HOLDER = (port: number) => String.raw`
import json, os, socket, sys
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(('127.0.0.1', ${port})); l.listen(256)
cs, ss = [], []
for i in range(120):
    c = socket.create_connection(('127.0.0.1', ${port})); cs.append(c); ss.append(l.accept()[0])
for c in cs: c.shutdown(socket.SHUT_WR)
print(json.dumps({'pid': os.getpid()}), flush=True)
sys.stdin.read()
`;

test('fin-wait2-accumulating on loopback: 120 half-closed connections a client keeps get no tcp_fin_timeout advice', { timeout: 60_000 }, async (t) => {
  const port = await freeLowPort();
  const h = await startPythonHolder<{ pid: number }>(t, HOLDER(port));
  await new Promise((r) => setTimeout(r, 300)); // the FINs are ACKed: FIN_WAIT2
  const r = spawnSync(BIN, ['analyze', '--peer-port', String(port), '--json'], { encoding: 'utf8', timeout: 60_000 });
  assert.ok(r.stdout, r.stderr);
  const rec = (JSON.parse(r.stdout) as { recommendations: { id: string; pid?: number; message: string; evidence: string; fix: string }[] }).recommendations.find((x) => x.id === 'fin-wait2-accumulating');
  assert.ok(rec, r.stdout);
  assert.match(rec.evidence, /FIN_WAIT2 120 .*; 0 orphaned .*, 120 held by a process/);
  assert.doesNotMatch(rec.fix, /tcp_fin_timeout=/);
  assert.match(rec.fix, new RegExp(`python3 \\(pid ${h.pid}\\) half-closed them \\(shutdown\\(SHUT_WR\\)\\) and still holds them`));
  assert.equal(rec.pid, h.pid);
});

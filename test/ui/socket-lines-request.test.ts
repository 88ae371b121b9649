// The socket view of a SYN_RECV request (review s22 rE #3): the kernel keeps no tcp_info or skmem for a
// connection request (TCP_NEW_SYN_RECV, no socket yet), as for TIME_WAIT, so the view says "none", not
// "not available from this collector", which sent the user to another --source that would show nothing more.
// A unit case on the lines, then a real request: SYN-ACKs lost on a veth pair of two namespaces of its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawn, spawnSync } from 'node:child_process';
import { socketLines } from '../../src/ui/socket-lines.js';
import { conn } from './fakes.js';
import { deleteNetns, netnsHolder, vethPair } from '../helpers/netns.js';
import { waitFor } from '../helpers/free-port.js';
import type { Socket } from '../../src/model/socket.js';

const detailLines = (s: Socket) =>
  socketLines(s, undefined, { attribution: 'all', source: 'netlink', detailsSeen: true })
    .map((l) => l.text)
    .filter((t) => /tcp_info|skmem|not available/.test(t));

test('a SYN_RECV request: no tcp_info or skmem kept by the kernel, whatever the collector', () => {
  const req = conn(8104, '10.90.0.2', 40476, 'SYN_RECV', undefined, { inode: 0 });
  const lines = detailLines(req);
  assert.ok(lines.some((t) => /none: the kernel keeps no tcp_info for a SYN_RECV request/.test(t)), lines.join('\n'));
  assert.ok(lines.some((t) => /none: the kernel keeps no skmem for a SYN_RECV request/.test(t)), lines.join('\n'));
  assert.ok(!lines.some((t) => /not available from this collector/.test(t)), lines.join('\n'));
  // A connection with a socket file and no tcp_info (procfs) is still the collector's limit.
  const est = detailLines(conn(8104, '10.90.0.2', 40477, 'ESTABLISHED', undefined, { inode: 77 }));
  assert.ok(est.some((t) => /not available from this collector/.test(t)), est.join('\n'));
});

const root = process.getuid?.() === 0;
const A = `sockscope-reqa-${process.pid}`;
const B = `sockscope-reqb-${process.pid}`;

test('a real SYN_RECV request read by netlink with details: the view says the kernel keeps none', { skip: root ? false : 'needs root (network namespaces)', timeout: 60_000 }, async (t) => {
  t.after(() => {
    deleteNetns(A);
    deleteNetns(B);
  });
  const dev = `sr${process.pid % 100000}a`;
  vethPair(A, B, dev, `sr${process.pid % 100000}b`, '10.94.0');
  // The listener's SYN-ACKs go to a MAC nobody has: its request stays in SYN_RECV.
  const neigh = spawnSync('ip', ['-n', A, 'neigh', 'replace', '10.94.0.2', 'lladdr', '02:00:00:00:00:99', 'dev', dev, 'nud', 'permanent'], { encoding: 'utf8' });
  assert.equal(neigh.status, 0, neigh.stderr);
  const listener = await netnsHolder(A, `l = socket.socket(); l.bind(('10.94.0.1', 8104)); l.listen(8)`);
  t.after(() => listener.kill());
  const client = spawn('ip', ['netns', 'exec', B, 'python3', '-c', `import socket, time\ns = socket.socket(); s.setblocking(False)\ntry: s.connect(('10.94.0.1', 8104))\nexcept BlockingIOError: pass\ntime.sleep(60)`], { stdio: 'ignore' });
  t.after(() => client.kill());
  // Collect in A's namespace: a child that enters it runs the collector (netlink with tcp_info and skmem).
  const script = `import { createSource } from './src/collect/index.ts';
const s = await createSource('netlink').collect({ protocols: ['tcp'], processes: 'none', details: true });
process.stdout.write(JSON.stringify(s.sockets.filter((k) => k.local.port === 8104)));`;
  const req = await waitFor('a SYN_RECV request on 8104', () => {
    const r = spawnSync('ip', ['netns', 'exec', A, process.execPath, '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const all = JSON.parse(r.stdout) as Socket[];
    return all.find((k) => k.state === 'SYN_RECV');
  });
  assert.equal(req.tcpInfo, undefined, 'netlink gives a request no tcp_info');
  assert.ok(!req.inode, 'no socket file');
  const lines = detailLines(req);
  assert.ok(lines.some((t) => /none: the kernel keeps no tcp_info for a SYN_RECV request/.test(t)), lines.join('\n'));
  assert.ok(!lines.some((t) => /not available from this collector/.test(t)), lines.join('\n'));
});

// `sockscope buffers` on the receiving side of real connections from another network namespace (a veth
// pair), as in review session 11 (r2, r11): a receiver that set SO_RCVBUF 16384 before listen() (wscale 0,
// rcvbuf 32768), and one in a namespace with net.ipv4.tcp_moderate_rcvbuf=0. Both were told "buffers
// below 2 x BDP but not limiting now (autotuning grows them on demand)". Needs root and iproute2 (as CI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { deleteNetns, netnsHolder, vethPair } from '../helpers/netns.js';

const A = `sockscope-bufA-${process.pid}`;
const B = `sockscope-bufB-${process.pid}`;
const inB = (...args: string[]) => spawnSync('ip', ['netns', 'exec', B, 'bin/sockscope', ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
const inHost = (...args: string[]) => spawnSync('bin/sockscope', args, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });

// Receiver (namespace B): port 5391 with SO_RCVBUF 16384 set before listen(), port 5392 as it comes; each
// connection is read to the end of the 300,000 bytes the sender writes (so nothing is left unread).
const RECEIVER = `
import threading
def serve(port, rcvbuf):
    l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf: l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    l.bind(('10.78.0.2', port)); l.listen(4)
    def run():
        c, _ = l.accept(); n = 0
        while n < 300000:
            d = c.recv(65536)
            if not d: break
            n += len(d)
        held.append(c)
    threading.Thread(target=run, daemon=True).start()
held = []
serve(5391, 16384); serve(5392, 0)`;
// Sender (namespace A): 300,000 bytes to each port, then holds the connections open.
const SENDER = `
held = []
for port in (5391, 5392):
    s = socket.create_connection(('10.78.0.2', port), timeout=10); s.sendall(b'x' * 300000); held.append(s)
time.sleep(1)`;

test('buffers on a receiver: a fixed SO_RCVBUF (wscale 0) and tcp_moderate_rcvbuf=0 are named, not "autotuning grows them"', async (t) => {
  const children: ChildProcess[] = [];
  t.after(() => {
    for (const c of children) c.kill('SIGKILL');
    deleteNetns(A);
    deleteNetns(B);
  });
  vethPair(A, B, 'vbufa', 'vbufb', '10.78.0');
  const sysctl = spawnSync('ip', ['netns', 'exec', B, 'sysctl', '-qw', 'net.ipv4.tcp_moderate_rcvbuf=0'], { encoding: 'utf8' });
  assert.equal(sysctl.status, 0, sysctl.stderr);
  children.push(await netnsHolder(B, RECEIVER));
  children.push(await netnsHolder(A, SENDER));

  // 400 Gbit/s x the veth's rtt (tens of us): a BDP far above 64 KiB and 128 KiB.
  const fixed = inB('buffers', '--port', '5391', '--bandwidth', '400gbit', '--json');
  assert.equal(fixed.status, 0, fixed.stderr);
  const f = JSON.parse(fixed.stdout);
  assert.equal(f.connections.length, 1, fixed.stdout);
  assert.equal(f.connections[0].rcvbuf, 32768);
  assert.doesNotMatch(f.connections[0].verdict, /autotuning grows/);
  assert.match(f.connections[0].verdict, /the socket advertises window scale 0, so its window can never exceed 64 KiB/);
  assert.match(f.connections[0].verdict, /remove the setsockopt, or set SO_RCVBUF >= \d+ before listen\(\)\/connect\(\)/);

  const off = inB('buffers', '--port', '5392', '--bandwidth', '400gbit', '--json');
  assert.equal(off.status, 0, off.stderr);
  const o = JSON.parse(off.stdout);
  assert.equal(o.caps.moderateRcvbuf, false);
  assert.equal(o.connections[0].rcvbuf, o.caps.tcpRmem[1], 'rcvbuf stays at the tcp_rmem default');
  assert.match(o.connections[0].verdict, /receive autotuning is off \(net\.ipv4\.tcp_moderate_rcvbuf = 0\)/);
  assert.doesNotMatch(o.connections[0].verdict, /autotuning grows/);

  // The link plan in that namespace turns autotuning back on; on the host (autotuning on) it does not.
  const plan = inB('buffers', '--bandwidth', '20mbit', '--rtt', '50ms');
  assert.equal(plan.status, 0, plan.stderr);
  assert.match(plan.stdout, /^ {2}net\.ipv4\.tcp_moderate_rcvbuf = 1$/m);
  assert.match(plan.stdout, /Receive autotuning is off here/);
  const host = inHost('buffers', '--bandwidth', '20mbit', '--rtt', '50ms', '--json');
  const h = JSON.parse(host.stdout);
  assert.equal(h.caps.moderateRcvbuf, true);
  assert.ok(!h.link.sysctls.some((s: { name: string }) => s.name === 'net.ipv4.tcp_moderate_rcvbuf'));
});

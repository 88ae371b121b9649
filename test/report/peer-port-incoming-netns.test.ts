// `--peer-port P` is this host's outgoing connections to P (product.md). A collection filtered on the peer
// port held no listener, so a connection accepted on a listening port inside the ephemeral range
// (32768-60999) was taken for an outgoing one: `analyze --peer-port X`, X a client's source port, counted the
// server's accepted socket 127.0.0.1:47050 -> 127.0.0.1:X, and a listener's SYN_RECV (review s16, scen6.py).
// In a namespace of the test's own, on loopback: a TCP listener on 47050 with one accepted connection from
// port 47100; a listener on 47052 whose SYN-ACKs an nft rule drops, so a connection from 47101 stays in
// SYN_RECV on it; a UDP service on 47060 with a socket connected to its client on 47102 (as QUIC servers
// do). Every source. Needs root, iproute2 and nft (as CI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createNetns, deleteNetns, netnsHolder } from '../helpers/netns.js';

const NS = `sockscope-ppin-${process.pid}`;
const run = (...args: string[]) => spawnSync('ip', ['netns', 'exec', NS, 'bin/sockscope', ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });

const HOLDER = `
def bound(kind, port):
    s = socket.socket(socket.AF_INET, kind); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', port)); return s
l = bound(socket.SOCK_STREAM, 47050); l.listen(8)
c = bound(socket.SOCK_STREAM, 47100); c.connect(('127.0.0.1', 47050)); a, _ = l.accept()
half = bound(socket.SOCK_STREAM, 47052); half.listen(8)
h = bound(socket.SOCK_STREAM, 47101); h.setblocking(False)
try: h.connect(('127.0.0.1', 47052))
except BlockingIOError: pass
u = bound(socket.SOCK_DGRAM, 47060)
uc = bound(socket.SOCK_DGRAM, 47060); uc.connect(('127.0.0.1', 47102))
cu = bound(socket.SOCK_DGRAM, 47102); cu.connect(('127.0.0.1', 47060))
time.sleep(0.3)`;

const NFT = `table inet sockscope_ppin {
  chain out { type filter hook output priority 0; tcp sport 47052 tcp flags & (syn | ack) == (syn | ack) drop; }
}`;

interface Report {
  total: number;
  states: Record<string, number>;
  udpSockets?: number;
  udpConnectedCount?: number;
}

function report(command: 'analyze' | 'analyze-states', peerPort: number, source: string): Report {
  const r = run(command, '--peer-port', String(peerPort), '--source', source, '--json');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as Report;
  const total = Object.values(j.states).reduce((n, v) => n + v, 0);
  return { ...j, total };
}

const nonZero = (states: Record<string, number>) => Object.fromEntries(Object.entries(states).filter(([, v]) => v > 0));

test('--peer-port counts no connection this host accepted, with a listening port inside the ephemeral range, in every source', async (t) => {
  let holder: ChildProcess | undefined;
  t.after(() => {
    holder?.kill('SIGKILL');
    deleteNetns(NS);
  });
  assert.equal(spawnSync('nft', ['--version']).error, undefined, 'nft (Debian package nftables) is required');
  createNetns(NS);
  const nft = spawnSync('ip', ['netns', 'exec', NS, 'nft', '-f', '-'], { input: NFT, encoding: 'utf8' });
  assert.equal(nft.status, 0, `nft: ${nft.stderr}`);
  holder = await netnsHolder(NS, HOLDER);

  // What the kernel says: the accepted socket's and the SYN_RECV socket's peer ports are the clients'.
  const ss = spawnSync('ip', ['netns', 'exec', NS, 'ss', '-tuanH'], { encoding: 'utf8' }).stdout;
  assert.match(ss, /^tcp\s+ESTAB\s+0\s+0\s+127\.0\.0\.1:47050\s+127\.0\.0\.1:47100\s*$/m, ss);
  assert.match(ss, /^tcp\s+SYN-RECV\s+0\s+0\s+127\.0\.0\.1:47052\s+127\.0\.0\.1:47101\s*$/m, ss);
  assert.match(ss, /^udp\s+ESTAB\s+0\s+0\s+127\.0\.0\.1:47060\s+127\.0\.0\.1:47102\s*$/m, ss);
  const range = spawnSync('ip', ['netns', 'exec', NS, 'cat', '/proc/sys/net/ipv4/ip_local_port_range'], { encoding: 'utf8' }).stdout.trim().split(/\s+/).map(Number);
  assert.ok(range[0] <= 47050 && 47060 <= range[1], `the listening ports are inside the ephemeral range ${range.join('-')}`);

  for (const source of ['netlink', 'ss', 'procfs', 'netstat']) {
    const accepted = report('analyze', 47100, source);
    assert.equal(accepted.total, 0, `${source}: analyze --peer-port 47100 counted ${JSON.stringify(nonZero(accepted.states))}`);
    const half = report('analyze', 47101, source);
    assert.equal(half.total, 0, `${source}: analyze --peer-port 47101 counted ${JSON.stringify(nonZero(half.states))}`);
    const udp = report('analyze', 47102, source);
    assert.equal(udp.udpSockets, 0, `${source}: analyze --peer-port 47102 counted the UDP server's connected socket`);
    assert.equal(udp.udpConnectedCount, 0, source);
    assert.equal(report('analyze-states', 47101, source).total, 0, `${source}: analyze-states --peer-port 47101`);
    assert.equal(report('analyze-states', 47100, source).total, 0, `${source}: analyze-states --peer-port 47100`);
    // The outgoing side is still counted: the client's connections to 47050 and 47060 (and the half-open one to 47052).
    const out = report('analyze', 47050, source);
    assert.deepEqual(nonZero(out.states), { ESTABLISHED: 1 }, source);
    assert.deepEqual(nonZero(report('analyze', 47052, source).states), { SYN_SENT: 1 }, source);
    assert.equal(report('analyze', 47060, source).udpSockets, 1, source);
  }
});

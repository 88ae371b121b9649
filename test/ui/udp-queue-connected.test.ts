// The home table's UDP QUEUE cell (plain table and monitor: ui/tables/ports.ts) took the fullest of the port's
// unconnected sockets only (review s22 #1): a connected socket on the port full and dropping read `0 B` beside
// an idle unconnected one, and `-` with no unconnected socket, while --json ports[].recvQ had its bytes. README:
// "the bytes of datagrams waiting to be read ... in the port's fullest socket". Real loopback UDP sockets held
// by python (it reads nothing, so the queues stay), the built CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startPythonHolder } from '../helpers/python-holder.js';
import { queueBytes } from '../../src/ui/tables/ports.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

// A connected socket (rcvbuf 8 KiB) on a port, with an unconnected one beside it when `listener`; then sends
// datagrams of 500 bytes to each (none read); prints the port once they are queued.
const script = (listener: boolean, toListener: number, toConnected: number) => `
import socket as S, json, sys, time
R = S.SOL_SOCKET
b = S.socket(S.AF_INET, S.SOCK_DGRAM); b.setsockopt(R, S.SO_REUSEADDR, 1); b.setsockopt(R, S.SO_RCVBUF, 8192); b.bind(("127.0.0.1", 0))
port = b.getsockname()[1]
keep = [b]
if ${listener ? 'True' : 'False'}:
    a = S.socket(S.AF_INET, S.SOCK_DGRAM); a.setsockopt(R, S.SO_REUSEADDR, 1); a.bind(("127.0.0.1", port)); keep.append(a)
p = S.socket(S.AF_INET, S.SOCK_DGRAM); p.bind(("127.0.0.1", 0))
b.connect(p.getsockname())
for i in range(${toConnected}): p.sendto(b"y" * 500, ("127.0.0.1", port))
q = S.socket(S.AF_INET, S.SOCK_DGRAM); q.bind(("127.0.0.1", 0))
for i in range(${toListener}): q.sendto(b"z" * 500, ("127.0.0.1", port))
time.sleep(0.2)
print(json.dumps({"port": port}), flush=True)
sys.stdin.read()
`;

function plainQueue(port: number): string {
  const r = spawnSync(BIN, ['--port', String(port)], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const row = r.stdout.split('\n').find((l) => new RegExp(`^\\s*\\S*\\s+${port} udp `).test(l));
  assert.ok(row, r.stdout);
  const m = / (-|\d+(?:\.\d+)? (?:B|KiB|MiB)) +\S+ +\S+ +\S+ +\S+ +\S+ +\S+ +\S+\s*$/.exec(row!);
  assert.ok(m, row);
  return m![1];
}

function jsonPort(port: number): { recvQ: number; listeners: { acceptQueue: number }[] } {
  const r = spawnSync(BIN, ['--port', String(port), '--json'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const p = (JSON.parse(r.stdout) as { ports: { port: number; protocol: string; recvQ: number; listeners: { acceptQueue: number }[] }[] }).ports.find((x) => x.port === port && x.protocol === 'udp');
  assert.ok(p, r.stdout);
  return p!;
}

test('UDP QUEUE: a full connected socket beside an idle unconnected one shows its bytes, as --json recvQ', { timeout: 60_000 }, async (t) => {
  const { port } = await startPythonHolder<{ port: number }>(t, script(true, 0, 50));
  const j = jsonPort(port);
  assert.ok(j.recvQ > 0, JSON.stringify(j));
  assert.equal(Math.max(...j.listeners.map((l) => l.acceptQueue)), 0, JSON.stringify(j));
  assert.equal(plainQueue(port), queueBytes(j.recvQ));
});

test('UDP QUEUE: a port with only a connected socket shows its bytes, not -', { timeout: 60_000 }, async (t) => {
  const { port } = await startPythonHolder<{ port: number }>(t, script(false, 0, 50));
  const j = jsonPort(port);
  assert.equal(j.listeners.length, 0, JSON.stringify(j));
  assert.ok(j.recvQ > 0, JSON.stringify(j));
  assert.equal(plainQueue(port), queueBytes(j.recvQ));
});

test('UDP QUEUE: the fullest socket, not the port total: an unconnected socket fuller than the connected one', { timeout: 60_000 }, async (t) => {
  const { port } = await startPythonHolder<{ port: number }>(t, script(true, 20, 2));
  const j = jsonPort(port);
  const listener = Math.max(...j.listeners.map((l) => l.acceptQueue));
  assert.ok(listener > j.recvQ - listener && j.recvQ - listener > 0, JSON.stringify(j));
  assert.equal(plainQueue(port), queueBytes(listener));
});

// Two connected sockets on one port, each to its own peer: 12 and 4 datagrams of 500 bytes queued.
const twoConnected = `
import socket as S, json, sys, time
R = S.SOL_SOCKET
keep = []
first = S.socket(S.AF_INET, S.SOCK_DGRAM); first.setsockopt(R, S.SO_REUSEADDR, 1); first.bind(("127.0.0.1", 0))
port = first.getsockname()[1]
socks = [first]
second = S.socket(S.AF_INET, S.SOCK_DGRAM); second.setsockopt(R, S.SO_REUSEADDR, 1); second.bind(("127.0.0.1", port))
socks.append(second)
for sock, n in zip(socks, (12, 4)):
    peer = S.socket(S.AF_INET, S.SOCK_DGRAM); peer.bind(("127.0.0.1", 0)); keep.append(peer)
    sock.connect(peer.getsockname())
    for i in range(n): peer.sendto(b"y" * 500, ("127.0.0.1", port))
time.sleep(0.2)
print(json.dumps({"port": port}), flush=True)
sys.stdin.read()
`;

test('UDP QUEUE: with two connected sockets, the fuller one, not their bytes together', { timeout: 60_000 }, async (t) => {
  const { port } = await startPythonHolder<{ port: number }>(t, twoConnected);
  const j = jsonPort(port);
  assert.equal(j.listeners.length, 0, JSON.stringify(j));
  const ss = spawnSync('ss', ['-uanH', 'sport', '=', `:${port}`], { encoding: 'utf8' });
  const queues = ss.stdout.trim().split('\n').map((l) => Number(l.trim().split(/\s+/)[1]));
  assert.equal(queues.length, 2, ss.stdout);
  assert.ok(Math.min(...queues) > 0, ss.stdout);
  assert.equal(j.recvQ, queues[0] + queues[1], ss.stdout);
  assert.equal(plainQueue(port), queueBytes(Math.max(...queues)), ss.stdout);
});

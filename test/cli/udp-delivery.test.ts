// UDP services seen by `try sendto` and debug-connections, with real UDP sockets on loopback held by a python3
// process: a datagram dropped by a full receive buffer (review-udp #9), a socket bound to another 127.x address
// (#10), and a refused TCP connect to a UDP-only port (#8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { startPythonHolder } from '../helpers/python-holder.js';

/**
 * `full`: 0.0.0.0:P with SO_RCVBUF 4096 (8 KiB held), never read, filled by 300 datagrams from a client connected to
 * it until the kernel drops (the script checks /proc/net/udp's drops column); two clients stay connected to it.
 * `other`: 127.0.0.1:Q, a socket that is never read either but has room. Both ports picked by the kernel.
 */
const HOLDER = `
import socket, json, os, sys, time
full = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
full.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
full.bind(('0.0.0.0', 0))
p = full.getsockname()[1]
other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
other.bind(('127.0.0.1', 0))
q = other.getsockname()[1]
clients = []
for i in range(2):
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.connect(('127.0.0.1', p))
    clients.append(c)
for i in range(300):
    clients[0].send(b'x' * 100)
drops = 0
for line in open('/proc/net/udp').read().splitlines()[1:]:
    f = line.split()
    if int(f[1].split(':')[1], 16) == p:
        drops = int(f[12])
print(json.dumps({'pid': os.getpid(), 'p': p, 'q': q, 'drops': drops}), flush=True)
sys.stdin.read()
`;

interface Holder {
  pid: number;
  p: number;
  q: number;
  drops: number;
}

test('try sendto to a local UDP socket whose receive buffer is full says the datagram was dropped there (netlink and /proc/net/udp)', { timeout: 60_000 }, async (t) => {
  const h = await startPythonHolder<Holder>(t, HOLDER);
  assert.ok(h.drops > 0, 'the holder filled its socket until the kernel dropped');
  for (const source of ['auto', 'procfs']) {
    const j = JSON.parse(sockscope(['try', 'sendto', `127.0.0.1:${h.p}`, '--json', '--source', source]).stdout);
    assert.equal(j.call.ok, true, 'sendto() itself succeeds');
    assert.equal(j.interpretation.ok, false, source);
    assert.match(j.interpretation.summary, new RegExp(`accepted 21 bytes, but the datagram reached python3/${h.pid} on 0\\.0\\.0\\.0:${h.p}, which dropped it: its drop counter rose by \\d+`), source);
    const r = j.context.udpSockets.find((u: { address: string; peer?: string }) => u.address === '0.0.0.0' && !u.peer);
    assert.ok(r.drops > r.dropsBefore, source);
  }
  // With skmem (netlink), the full buffer is named as the cause.
  const text = sockscope(['try', 'sendto', `127.0.0.1:${h.p}`]).stdout;
  assert.match(text, /queued, receive buffer 8 KiB\); its receive buffer is full: the program is not reading fast enough/);
  assert.match(text, new RegExp(`strace -f -p ${h.pid} -e trace=recvfrom`));
  assert.match(text, new RegExp(`^  UNCONN +0\\.0\\.0\\.0:${h.p}  python3/${h.pid}$`, 'm'));
});

test('try sendto to a local UDP socket with room says it was queued for that socket', { timeout: 60_000 }, async (t) => {
  const h = await startPythonHolder<Holder>(t, HOLDER);
  const j = JSON.parse(sockscope(['try', 'sendto', `127.0.0.1:${h.q}`, '--json']).stdout);
  assert.equal(j.interpretation.ok, true);
  assert.match(j.interpretation.summary, new RegExp(`the datagram was queued for python3/${h.pid} on 127\\.0\\.0\\.1:${h.q}: no drop counter rose`));
});

test('try sendto 127.0.0.3:P names the socket bound to 127.0.0.1:P instead of hiding it', { timeout: 60_000 }, async (t) => {
  const h = await startPythonHolder<Holder>(t, HOLDER);
  const r = sockscope(['try', 'sendto', `127.0.0.3:${h.q}`]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`nothing receives on UDP 127\\.0\\.0\\.3:${h.q} .*but python3/${h.pid} is bound to 127\\.0\\.0\\.1:${h.q}`));
  assert.match(r.stdout, new RegExp(`send to 127\\.0\\.0\\.1:${h.q} instead: sockscope try sendto 127\\.0\\.0\\.1:${h.q}`));
  assert.match(r.stdout, new RegExp(`Sockets on other local addresses of port ${h.q} \\(they do not receive datagrams sent to 127\\.0\\.0\\.3\\):\\n  UNCONN +127\\.0\\.0\\.1:${h.q}  python3/${h.pid}`));
  assert.doesNotMatch(r.stdout, /they do not conflict/);
});

test('debug-connections (TCP) on a UDP-only port says a UDP socket is bound there and counts the UDP clients', { timeout: 60_000 }, async (t) => {
  const h = await startPythonHolder<Holder>(t, HOLDER);
  const j = JSON.parse(sockscope(['debug-connections', '--address', `127.0.0.1:${h.p}`, '--timeout', '1s', '--json']).stdout);
  const a = j.addresses[0];
  assert.equal(a.connect.errno, 'ECONNREFUSED');
  assert.match(a.diagnosis.summary, new RegExp(`no TCP listener on port ${h.p}, but a UDP socket is bound to it: python3/${h.pid} on 0\\.0\\.0\\.0:${h.p}; 2 UDP socket\\(s\\) on this host are connected to it`));
  assert.doesNotMatch(j.verdict.summary, /nothing listens/);
  assert.ok(j.verdict.nextSteps.some((s: string) => s.startsWith(`sockscope debug-connections --udp --address 127.0.0.1:${h.p}`)));
  assert.ok(!j.verdict.nextSteps.some((s: string) => /start the server/.test(s)));
  assert.equal(a.existing.udpConnected, 2);
  const text = sockscope(['debug-connections', '--address', `127.0.0.1:${h.p}`, '--timeout', '1s']).stdout;
  assert.match(text, /existing: no other TCP sockets from this host to it; UDP: 2 socket\(s\) connected to it/);
  // try connect reads the same facts.
  const tc = JSON.parse(sockscope(['try', 'connect', `127.0.0.1:${h.p}`, '--json']).stdout);
  assert.match(tc.interpretation.summary, new RegExp(`no TCP listener on port ${h.p}, but a UDP socket is bound to it: python3/${h.pid} on 0\\.0\\.0\\.0:${h.p}; a TCP connect does not reach UDP sockets`));
});

// `debug-connections --udp` (review-udp #8): one datagram to each address, with real UDP sockets on loopback held by a
// python3 process: an echo service, a socket whose receive buffer is full, one bound to 127.0.0.1 only, and a
// TCP-only port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sockscope, sockscopeAsync } from '../collect/getsockopt-helpers.js';
import { startPythonHolder } from '../helpers/python-holder.js';

/**
 * echo: 127.0.0.1:E answers every datagram with "PONG " + it. full: 0.0.0.0:F, SO_RCVBUF 4096, never read, filled
 * until the kernel drops, with two clients connected to it. quiet: 127.0.0.1:Q, never read, never answers.
 * tcp: a TCP listener on 127.0.0.1:T with no UDP socket on T. Every port picked by the kernel.
 */
const HOLDER = `
import socket, json, os, sys, threading
def udp(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 0))
    return s
echo = udp('127.0.0.1')
def serve():
    while True:
        data, peer = echo.recvfrom(65535)
        echo.sendto(b'PONG ' + data, peer)
threading.Thread(target=serve, daemon=True).start()
full = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
full.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
full.bind(('0.0.0.0', 0))
clients = []
for i in range(2):
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.connect(('127.0.0.1', full.getsockname()[1]))
    clients.append(c)
for i in range(300):
    clients[0].send(b'x' * 100)
quiet = udp('127.0.0.1')
tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp.bind(('127.0.0.1', 0))
tcp.listen(4)
print(json.dumps({'pid': os.getpid(), 'echo': echo.getsockname()[1], 'full': full.getsockname()[1], 'quiet': quiet.getsockname()[1], 'tcp': tcp.getsockname()[1]}), flush=True)
sys.stdin.read()
`;

interface Holder {
  pid: number;
  echo: number;
  full: number;
  quiet: number;
  tcp: number;
}

test('debug-connections --udp: a reply that matches --expect, and one that does not', { timeout: 60_000 }, async (t) => {
  const h = await startPythonHolder<Holder>(t, HOLDER);
  const r = await sockscopeAsync(['debug-connections', '--udp', '--address', `127.0.0.1:${h.echo}`, '--send', 'PING\\n', '--expect', 'PONG', '--timeout', '2s']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /sendto: {3}5 bytes from 127\.0\.0\.1:\d+: sent, no ICMP error \(reply after/);
  assert.match(r.stdout, /reply: {4}10 bytes: PONG PING\\n/);
  assert.match(r.stdout, /expect: {3}matched/);
  assert.match(r.stdout, new RegExp(`Verdict: 127\\.0\\.0\\.1:${h.echo} \\(UDP\\): answered with 10 bytes containing "PONG"`));
  const j = JSON.parse((await sockscopeAsync(['debug-connections', '--udp', '--address', `127.0.0.1:${h.echo}`, '--send', 'PING', '--expect', 'NOPE', '--timeout', '500ms', '--json'])).stdout);
  assert.equal(j.protocol, 'udp');
  assert.equal(j.verdict.ok, false);
  assert.equal(j.addresses[0].datagram.matched, false);
  assert.match(j.verdict.summary, /answered \(9 bytes\), but the reply does not contain "NOPE"/);
});

test('debug-connections --udp: a full receive buffer drops the datagram, and the UDP clients of the port are counted', { timeout: 60_000 }, async (t) => {
  const h = await startPythonHolder<Holder>(t, HOLDER);
  const j = JSON.parse(sockscope(['debug-connections', '--udp', '--address', `127.0.0.1:${h.full}`, '--timeout', '300ms', '--json']).stdout);
  assert.equal(j.verdict.ok, false);
  assert.match(j.verdict.summary, new RegExp(`the datagram reached python3/${h.pid} on 0\\.0\\.0\\.0:${h.full}, which dropped it: its drop counter rose by \\d+ while it was sent \\(.* receive buffer 8 KiB\\); its receive buffer is full`));
  assert.equal(j.addresses[0].existing.udpConnected, 2);
  const s = j.addresses[0].datagram.udpSockets.find((u: { address: string; peer?: string }) => u.address === '0.0.0.0' && !u.peer);
  assert.ok(s.drops > s.dropsBefore);
  const text = sockscope(['debug-connections', '--udp', '--address', `127.0.0.1:${h.full}`, '--timeout', '300ms']).stdout;
  assert.match(text, /existing: 2 UDP socket\(s\) on this host connected to it/);
});

test('debug-connections --udp: delivered to a socket that does not answer, refused elsewhere, a closed port, a TCP-only port', { timeout: 60_000 }, async (t) => {
  const h = await startPythonHolder<Holder>(t, HOLDER);
  const quiet = JSON.parse(sockscope(['debug-connections', '--udp', '--address', `127.0.0.1:${h.quiet}`, '--timeout', '300ms', '--json']).stdout);
  assert.equal(quiet.verdict.ok, true, 'an empty datagram queued for the socket: delivered');
  assert.match(quiet.verdict.summary, new RegExp(`the datagram was queued for python3/${h.pid} on 127\\.0\\.0\\.1:${h.quiet}: no drop counter rose .*; it was an empty datagram`));
  const asked = JSON.parse(sockscope(['debug-connections', '--udp', '--address', `127.0.0.1:${h.quiet}`, '--send', 'hello', '--timeout', '300ms', '--json']).stdout);
  assert.equal(asked.verdict.ok, false);
  assert.match(asked.verdict.summary, /no reply came within 300 ms: the program has not read it yet, or does not answer this request/);
  // #10's case for debug-connections: a socket bound to 127.0.0.1 receives nothing sent to 127.0.0.3.
  const other = JSON.parse(sockscope(['debug-connections', '--udp', '--address', `127.0.0.3:${h.quiet}`, '--timeout', '1s', '--json']).stdout);
  assert.equal(other.addresses[0].datagram.errno, 'ECONNREFUSED');
  assert.match(other.verdict.summary, new RegExp(`nothing receives on UDP 127\\.0\\.0\\.3:${h.quiet}, but python3/${h.pid} is bound to 127\\.0\\.0\\.1:${h.quiet}`));
  assert.ok(other.verdict.nextSteps.includes(`send to 127.0.0.1:${h.quiet} instead: sockscope debug-connections --udp --address 127.0.0.1:${h.quiet}`));
  const tcp = JSON.parse(sockscope(['debug-connections', '--udp', '--address', `127.0.0.1:${h.tcp}`, '--timeout', '1s', '--json']).stdout);
  assert.match(tcp.verdict.summary, new RegExp(`an ICMP port unreachable came back: no UDP socket is bound to port ${h.tcp} on this host \\(a TCP listener is on port ${h.tcp}: debug-connections without --udp tests it\\)`));
});

test('debug-connections --udp: a send that fails at once (a link-local address without its zone) is explained, not a crash', { timeout: 30_000 }, () => {
  // UDP connect() to fe80::/10 without a scope id is EINVAL in the kernel, whatever the routes.
  const r = sockscope(['debug-connections', '--udp', '--address', '[fe80::1]:53', '--timeout', '300ms']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /connect: {2}UDP connect\(\) before sending an empty datagram: EINVAL after [\d.]+ ms \(Invalid argument\); nothing was sent/);
  assert.match(r.stdout, /Verdict: \[fe80::1\]:53 \(UDP\): fe80::1 is an IPv6 link-local address \(fe80::\/10\): connect needs its scope id/);
  const z = sockscope(['debug-connections', '--udp', '--address', '[fe80::1%nosuch]:53', '--timeout', '300ms']);
  assert.equal(z.status, 0, z.stderr);
  assert.match(z.stdout, /no interface nosuch on this host/);
});

test('debug-connections --udp --tls is bad input (exit 2, names --tls)', () => {
  const r = sockscope(['debug-connections', '--udp', '--tls', '--address', '127.0.0.1:53']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--tls applies to TCP only/);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
});

// debug-connections --udp, try sendto and debug-connections (TCP) with an IPv6 destination typed in a non-canonical
// form (review-collect #4): a python3 process holds a UDP socket on [::1]:P and a client connected to it. Typed as
// [0:0:0:0:0:0:0:1]:P, the datagram was said to reach no socket ("a firewall rule on this host drops it"), the
// connected client was not counted, and the refused TCP connect said the UDP socket would not get datagrams sent there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { startPythonHolder } from '../helpers/python-holder.js';

const HOLDER = `
import socket, json, os, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(('::1', 0))
p = s.getsockname()[1]
c = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
c.connect(('::1', p))
print(json.dumps({'pid': os.getpid(), 'p': p}), flush=True)
sys.stdin.read()
`;

const LONG = '0:0:0:0:0:0:0:1';

test('debug-connections --udp and try sendto to [0:0:0:0:0:0:0:1]:P find the socket on [::1]:P', { timeout: 60_000 }, async (t) => {
  const h = await startPythonHolder<{ pid: number; p: number }>(t, HOLDER);
  const r = sockscope(['debug-connections', '--udp', '--address', `[${LONG}]:${h.p}`, '--timeout', '300ms', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.match(j.verdict.summary, new RegExp(`the datagram was queued for python3/${h.pid} on \\[::1\\]:${h.p}: no drop counter rose`));
  assert.doesNotMatch(j.verdict.summary, /firewall/);
  assert.equal(j.addresses[0].existing.udpConnected, 1);
  const s = JSON.parse(sockscope(['try', 'sendto', `[${LONG}]:${h.p}`, '--json']).stdout);
  assert.equal(s.interpretation.ok, true, s.interpretation.summary);
  assert.match(s.interpretation.summary, new RegExp(`the datagram was queued for python3/${h.pid} on \\[::1\\]:${h.p}`));
});

test('debug-connections (TCP) to [0:0:0:0:0:0:0:1]:P of a UDP-only port: TCP connections are refused, the UDP socket there takes datagrams', { timeout: 60_000 }, async (t) => {
  const h = await startPythonHolder<{ pid: number; p: number }>(t, HOLDER);
  const j = JSON.parse(sockscope(['debug-connections', '--address', `[${LONG}]:${h.p}`, '--timeout', '1s', '--json']).stdout);
  assert.equal(j.addresses[0].connect.errno, 'ECONNREFUSED');
  assert.equal(j.verdict.summary, `[${LONG}]:${h.p} refuses TCP connections: no TCP listener on port ${h.p}, but a UDP socket is bound to it: python3/${h.pid} on [::1]:${h.p}; 1 UDP socket(s) on this host are connected to it; a TCP connect does not reach UDP sockets`);
  assert.equal(j.addresses[0].existing.udpConnected, 1);
});

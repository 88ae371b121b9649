// The kernel-view fallback of inspect-options (no getsockopt): which options come from the collector's view,
// which need getsockopt, and which only need a source that carries skmem/tcp_info. Pure, on built sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelViewReadings } from '../../src/collect/getsockopt-fallback.js';
import { resolveOptionNames } from '../../src/collect/getsockopt.js';
import type { Socket } from '../../src/model/socket.js';

const listener: Socket = { protocol: 'tcp', ipVersion: 4, state: 'LISTEN', local: { address: '127.0.0.1', port: 8080 }, peer: { address: '0.0.0.0', port: 0 }, recvQ: 0, sendQ: 128, inode: 99, processes: [] };
const infos = resolveOptionNames(['TCP_NODELAY', 'SO_RCVBUF', 'TCP_CONGESTION', 'SO_ACCEPTCONN']);
const reason = 'no visible process holds the socket: 3 processes of other users are hidden: run as root to see them';

test('procfs/netstat view: skmem and tcp_info options point to --source netlink or ss; the count line says so', () => {
  for (const src of ['procfs', 'netstat']) {
    const fb = kernelViewReadings(infos, listener, src, reason);
    const by = new Map(fb.readings.map((r) => [r.name, r]));
    assert.equal(by.get('TCP_NODELAY')!.missing, 'needs getsockopt (no visible process holds the socket)');
    assert.equal(by.get('SO_RCVBUF')!.missing, `${src} carries no socket memory (skmem): --source netlink or ss shows it without privilege (getsockopt: no visible process holds the socket)`);
    assert.equal(by.get('TCP_CONGESTION')!.missing, `${src} carries no tcp_info: --source netlink or ss shows it without privilege (getsockopt: no visible process holds the socket)`);
    assert.equal(by.get('SO_ACCEPTCONN')!.value, true);
    assert.equal(fb.summary, `1 of 4 options needs getsockopt on the socket itself and is unknown; 2 more are shown to every user by --source netlink or ss (${src} does not carry them); 1 comes from what the kernel shows to every user`);
  }
});

test('netlink view: values from skmem and tcp_info; a socket netlink shows without them (TIME_WAIT) is not sent elsewhere', () => {
  const full: Socket = { ...listener, skmem: { rmemAlloc: 0, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 16384, fwdAlloc: 0, wmemQueued: 0, optmem: 0, backlog: 0, drops: 0 }, tcpInfo: { congestion: 'cubic' } } as Socket;
  const fb = kernelViewReadings(infos, full, 'netlink', reason);
  const by = new Map(fb.readings.map((r) => [r.name, r]));
  assert.equal(by.get('SO_RCVBUF')!.value, 131072);
  assert.equal(by.get('TCP_CONGESTION')!.value, 'cubic');
  assert.equal(fb.summary, '1 of 4 options needs getsockopt on the socket itself and is unknown; 3 come from what the kernel shows to every user');
  const tw = kernelViewReadings(infos, { ...listener, state: 'TIME_WAIT' }, 'netlink', reason);
  assert.match(tw.readings.find((r) => r.name === 'SO_RCVBUF')!.missing!, /^needs getsockopt/);
});

test('the count line agrees in number: one option, one unknown, one value', () => {
  const one = kernelViewReadings(resolveOptionNames(['TCP_NODELAY']), listener, 'netlink', reason);
  assert.equal(one.summary, '1 of 1 option needs getsockopt on the socket itself and is unknown; 0 come from what the kernel shows to every user');
  const two = kernelViewReadings(resolveOptionNames(['TCP_NODELAY', 'SO_REUSEADDR', 'SO_ACCEPTCONN']), listener, 'procfs', reason);
  assert.equal(two.summary, '2 of 3 options need getsockopt on the socket itself and are unknown; 1 comes from what the kernel shows to every user');
});

test('a keepalive setting read from the kernel view brings SO_KEEPALIVE (an armed keepalive timer says on), marked as not asked for', async () => {
  const { inspectKernelSocket } = await import('../../src/collect/getsockopt.js');
  const est: Socket = { ...listener, state: 'ESTABLISHED', peer: { address: '127.0.0.1', port: 40000 }, sendQ: 0, timer: { name: 'keepalive', expiresMs: 40000, retrans: 0 } } as Socket;
  const r = await inspectKernelSocket({ socket: est, sourceName: 'netlink', options: ['TCP_KEEPIDLE'], reason });
  assert.deepEqual(r.options.map((o) => [o.name, o.value, o.readBecause]), [['SO_KEEPALIVE', true, 'TCP_KEEPIDLE'], ['TCP_KEEPIDLE', undefined, undefined]]);
});

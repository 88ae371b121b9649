// inspect-options' socket line named an unconnected UDP socket and an unbound-peer unix datagram socket by the
// kernel's CLOSE (`socket: UDP IPv4 CLOSE 127.0.0.1:P`, `unix CLOSE @name`), where ss, the monitor and try say
// UNCONN (review s23 #5). Real sockets held by python3: the line says UNCONN; --json keeps the kernel's CLOSE, as
// analyze --json's states and the exporter do; a TCP socket in CLOSE (never bound) stays CLOSE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holderLine, labelledFds } from '../helpers/holder-line.js';
import { formatInspect, inspectJson, runInspect } from '../../src/cli/commands/inspect-options-run.js';

const HOLDER = `
import socket as S, os, time
u = S.socket(S.AF_INET, S.SOCK_DGRAM); u.bind(('127.0.0.1', 0))
x = S.socket(S.AF_UNIX, S.SOCK_DGRAM); x.bind('\\0sockscope-unconn-%d' % os.getpid())
t = S.socket()
print(os.getpid(), f'udp={u.fileno()}', f'unix={x.fileno()}', f'tcp={t.fileno()}', f'port={u.getsockname()[1]}', flush=True)
time.sleep(60)`;

test('unconnected UDP and unix datagram sockets: UNCONN in the socket line, CLOSE in --json; a fresh TCP socket stays CLOSE', { timeout: 30_000 }, async (t) => {
  const h = labelledFds(await holderLine(t, ['python3', '-c', HOLDER]));
  const read = (fd: number) => runInspect({ pid: h.pid, 'socket-fd': fd, options: 'SO_TYPE', source: 'netlink' });
  const udp = await read(h.fd.udp);
  assert.match(formatInspect(udp), new RegExp(`^socket: UDP IPv4 UNCONN 127\\.0\\.0\\.1:${h.fd.port}$`, 'm'), formatInspect(udp));
  assert.equal((inspectJson(udp) as { socket: { state?: string } }).socket.state, 'CLOSE');
  const unix = await read(h.fd.unix);
  assert.match(formatInspect(unix), new RegExp(`^socket: unix UNCONN @sockscope-unconn-${h.pid}$`, 'm'), formatInspect(unix));
  assert.equal((inspectJson(unix) as { socket: { state?: string } }).socket.state, 'CLOSE');
  const tcp = await read(h.fd.tcp);
  assert.match(formatInspect(tcp), /^socket: TCP IPv4 CLOSE /m, formatInspect(tcp));
});

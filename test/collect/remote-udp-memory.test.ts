// The monitor asks its collections for UDP memory (CollectOptions.udpMemory), which makes a local ss run UDP apart.
// The remote script keeps one TCP/UDP run: with udpMemory passed on, its first non-unix run was the UDP one and the
// TCP run never ran there, so `sockscope --host H` started with a snapshot of no TCP socket (processes 'none', the
// first frame). The remote script here runs in `sh -s` (what sshd runs it with) with the real ss, on this host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteSource } from '../../src/collect/remote.js';
import { parseRemoteTarget } from '../../src/collect/remote-target.js';
import { collectWithUdpMemory } from '../../src/collect/udp-memory.js';

test('--host with the monitor\'s udpMemory: the TCP sockets are read, first collection (no owners) included', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-remote-udp-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ssh = join(dir, 'ssh');
  writeFileSync(ssh, '#!/bin/sh\nexec sh -s\n');
  chmodSync(ssh, 0o755);
  const srv = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  const udp = createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  t.after(() => {
    srv.close();
    udp.close();
  });
  const tcpPort = (srv.address() as { port: number }).port;
  const source = new RemoteSource(parseRemoteTarget('web1'), { sshPath: ssh, timeoutMs: 20_000 });
  for (const processes of ['none', 'listeners'] as const) {
    const snap = await collectWithUdpMemory(source, { protocols: ['tcp', 'udp'], processes });
    assert.ok(snap.sockets.some((s) => s.protocol === 'tcp' && s.local.port === tcpPort), `processes ${processes}: the TCP listener is read`);
    assert.ok(snap.sockets.some((s) => s.protocol === 'udp' && s.local.port === udp.address().port), `processes ${processes}: the UDP socket is read`);
  }
});

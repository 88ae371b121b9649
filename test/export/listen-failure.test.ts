// The exporter when it cannot listen: the library call rejects and stops collecting (its timer kept the
// process alive and collecting), and `sockscope export` explains the failure as `try listen` does: a
// privileged port as a non-root user (through setpriv), a port another process holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCliAsync } from '../helpers/exporter.js';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { CollectOptions, SocketSource } from '../../src/collect/source.js';
import { startExporter } from '../../src/export/server.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { fakeSnapshot } from '../helpers/fake-snapshot.js';
import { requireSetpriv } from '../helpers/socket-holder.js';

const UID = 61237;

async function holdPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const a = s.address();
  return { port: typeof a === 'object' && a ? a.port : 0, close: () => new Promise((r) => s.close(() => r())) };
}

test('startExporter on a port in use rejects with EADDRINUSE and collects no more', { timeout: 30_000 }, async () => {
  const held = await holdPort();
  let collections = 0;
  const source: SocketSource = {
    name: 'ss',
    async collect(_o?: CollectOptions): Promise<Snapshot> {
      collections++;
      return fakeSnapshot({ sockets: [] });
    },
  };
  try {
    await assert.rejects(startExporter({ source, host: '127.0.0.1', port: held.port, intervalMs: 10 }), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE');
    const after = collections;
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(collections <= after + 1, `collections went on after the failure: ${after} then ${collections} in 300 ms at a 10 ms interval`);
  } finally {
    await held.close();
  }
});

test('export --listen on a privileged port as a non-root user: why, and how to grant CAP_NET_BIND_SERVICE', { timeout: 60_000 }, (t) => {
  assert.equal(process.getuid?.(), 0, 'needs root, to run sockscope as a uid without CAP_NET_BIND_SERVICE');
  requireSetpriv();
  const start = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
  if (start <= 1) return t.skip(`net.ipv4.ip_unprivileged_port_start=${start}: this host has no privileged ports`);
  const port = Math.min(80, start - 1);
  const r = sockscope(['export', '--listen', `127.0.0.1:${port}`], { uid: UID });
  assert.equal(r.status, 1, r.stderr);
  // One line (other lines: this uid cannot read root's config file, which it says).
  const line = r.stderr.split('\n').find((l) => l.startsWith('sockscope: cannot listen'));
  assert.ok(line, r.stderr);
  assert.match(line, new RegExp(`^sockscope: cannot listen on 127\\.0\\.0\\.1:${port}: EACCES: port ${port} is privileged: ports below net\\.ipv4\\.ip_unprivileged_port_start=${start} need root or CAP_NET_BIND_SERVICE, and this process runs as uid ${UID} without it`));
  assert.match(line, /setcap cap_net_bind_service=\+ep/);
  assert.match(line, /AmbientCapabilities=CAP_NET_BIND_SERVICE/);
});

test('export --listen on a port another process holds: who holds it', { timeout: 60_000 }, async (t) => {
  const held = await holdPort();
  t.after(() => held.close());
  // Asynchronous: the holder lives in this process and must keep accepting while sockscope runs.
  const r = await runCliAsync(['export', '--listen', `127.0.0.1:${held.port}`]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^sockscope: cannot listen on 127\\.0\\.0\\.1:${held.port}: EADDRINUSE: port ${held.port} is held by pid ${process.pid} \\(node\\)`));
  assert.doesNotMatch(r.stderr, /--reuseport/);
});

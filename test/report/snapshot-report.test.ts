// `sockscope --json` (buildSnapshotReport): the same local-ports table as the monitor and the plain table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSnapshotReport } from '../../src/report/snapshot-report.js';
import { fakeSnapshot, listener, proc, tcp } from '../helpers/fake-snapshot.js';

test('ports lists the ports this host serves; outgoing connections from ephemeral ports are only in outgoing', () => {
  // What a loopback test host shows: a listener with one accepted connection, the client side of that
  // connection on an ephemeral port, and a client still in SYN_SENT to a full accept queue.
  const snap = fakeSnapshot({
    sockets: [
      listener('127.0.0.1:17005', 8, 0, [proc(27738, 'srv')]),
      tcp('127.0.0.1:17005', '127.0.0.1:41124', 'ESTABLISHED'),
      tcp('127.0.0.1:41124', '127.0.0.1:17005', 'ESTABLISHED'),
      tcp('127.0.0.1:37066', '127.0.0.1:17002', 'SYN_SENT', { sendQ: 1 }),
      // A server port below the ephemeral range whose listener is gone, still holding TIME_WAIT: kept.
      tcp('127.0.0.1:8080', '10.0.0.9:50000', 'TIME_WAIT'),
    ],
    sysctls: { 'net.ipv4.ip_local_port_range': '32768\t60999' },
  });
  const doc = buildSnapshotReport(snap, []);
  assert.deepEqual(
    doc.ports.map((p) => `${p.protocol}:${p.port}`),
    ['tcp:8080', 'tcp:17005'],
  );
  const outgoing = doc.outgoing.map((p) => `${p.protocol}:${p.peerPort}`);
  for (const k of ['tcp:17002', 'tcp:17005']) assert.ok(outgoing.includes(k), `${k} in outgoing: ${outgoing.join(' ')}`);
  // Totals still count every socket.
  assert.equal(doc.totals.tcp.ESTABLISHED, 2);
  assert.equal(doc.totals.tcp.SYN_SENT, 1);
});

test('--unix: unix sockets are in the document by path (the plain table listed them while ports[] had none)', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const net = await import('node:net');
  const { createSource } = await import('../../src/collect/index.js');
  const { SnapshotReportSchema } = await import('../../src/report/snapshot-report.js');
  // A real unix listener with one accepted connection, read by the netlink source.
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-unix-json-'));
  const path = join(dir, 'srv\u001b[31m.sock');
  const accepted: import('node:net').Socket[] = [];
  const server = net.createServer((c) => accepted.push(c));
  await new Promise<void>((r) => server.listen(path, 7, () => r()));
  const client = net.connect(path);
  await new Promise<void>((r) => client.once('connect', () => r()));
  try {
    for (let i = 0; i < 50 && accepted.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const snap = await createSource('netlink').collect({ protocols: ['unix'], processes: 'all' });
    const doc = SnapshotReportSchema.parse(buildSnapshotReport(snap, [], { protocols: ['unix'] }));
    const row = doc.unix.find((u) => u.path === path);
    assert.ok(row, `${path} in ${JSON.stringify(doc.unix.map((u) => u.path))}`);
    assert.equal(row.listeners.length, 1);
    assert.equal(row.listeners[0].backlog, 7);
    assert.ok(row.processes.some((p) => p.pid === process.pid), JSON.stringify(row.processes));
    assert.ok(row.total >= 2, `listener and the accepted end: ${row.total}`);
    // Without unix asked for, the list is empty.
    assert.deepEqual(buildSnapshotReport(snap, [], { protocols: ['tcp'] }).unix, []);
  } finally {
    client.destroy();
    for (const c of accepted) c.destroy();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

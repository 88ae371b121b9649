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

// analyze on a collection scoped to the port (real loopback sockets, the netlink collector): the report
// takes the per-port summaries the collector made during its dump; they must equal a fresh aggregation
// of the same sockets, and a snapshot holding other ports' sockets must report the port alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Socket as NetSocket } from 'node:net';
import { once } from 'node:events';
import { NetlinkSource } from '../../src/collect/netlink.js';
import '../../src/collect/processes.js';
import { buildAnalyzeReport } from '../../src/report/analyze.js';
import type { Snapshot } from '../../src/model/snapshot.js';

test('analyze --port: the summaries made during a port-scoped dump give the report a fresh aggregation gives', { skip: process.platform !== 'linux' && 'Linux only' }, async () => {
  const accepted: NetSocket[] = [];
  const server = createServer({ pauseOnConnect: true }, (s) => {
    s.on('error', () => undefined);
    accepted.push(s);
  });
  server.listen(0, '127.0.0.1', 7);
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const clients: NetSocket[] = [];
  try {
    for (let i = 0; i < 6; i++) {
      const c = connect(port, '127.0.0.1');
      await once(c, 'connect');
      c.on('error', () => undefined);
      clients.push(c);
    }
    // Bytes left unread in two server-side receive queues, and one client closed (CLOSE_WAIT on the server side).
    clients[0].write('abc');
    clients[1].write('defgh');
    clients[2].end();
    while (accepted.length < 6) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));

    const snap = await new NetlinkSource().collect({ port, protocols: ['tcp', 'udp'], processes: 'all', details: true, attribution: 'targeted' });
    assert.ok(snap.sockets.every((s) => s.local.port === port), 'the kernel sent only the port');
    const report = buildAnalyzeReport(snap, { port });
    assert.equal(report.total, 7, 'the listener and 6 accepted connections');
    assert.equal(report.listeners.length, 1);
    assert.equal(report.listeners[0].process?.pid, process.pid);
    assert.equal(report.queues.recvQ, 3 + 5, 'the unread bytes; the closed connection\'s unread FIN (Recv-Q 1) is no byte (queueBytes)');

    // The same sockets in a new array: no summaries remembered for it, aggregated afresh.
    const copy: Snapshot = { ...snap, sockets: [...snap.sockets] };
    assert.deepEqual(buildAnalyzeReport(copy, { port }), report);
    // With a socket of another port in the snapshot: the port alone.
    const other = { ...snap.sockets.find((s) => s.state === 'LISTEN')!, local: { address: '127.0.0.1', port: port === 65535 ? 1 : port + 1 } };
    assert.deepEqual(buildAnalyzeReport({ ...snap, sockets: [...snap.sockets, other] }, { port }), report);
  } finally {
    for (const c of clients) c.destroy();
    for (const s of accepted) s.destroy();
    server.close();
  }
});

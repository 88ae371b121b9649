// A server port's TIME_WAIT sockets (its listener closed) are in the local-ports table only, not again as
// one-socket outgoing rows keyed by each client's ephemeral port: `sockscope --json` and the monitor's
// tables (buildPortTables, the Tab view) put every socket in exactly one of the two. Real loopback sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createSource } from '../../src/collect/index.js';
import { ephemeralRange } from '../../src/model/snapshot.js';
import { buildSnapshotReport } from '../../src/report/snapshot-report.js';
import { buildPortTables } from '../../src/ui/derive.js';
import { freeLowPort, waitFor } from '../helpers/free-port.js';

test('a closed server port still holding TIME_WAIT: its sockets are in ports[], not in outgoing[] (JSON and monitor)', async () => {
  const port = await freeLowPort();
  const accepted: net.Socket[] = [];
  const server = net.createServer((c) => {
    c.on('error', () => {});
    accepted.push(c);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  const clients: net.Socket[] = [];
  const clientPorts: number[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const c = net.connect(port, '127.0.0.1');
      c.on('error', () => {});
      await new Promise<void>((r) => c.once('connect', () => r()));
      clients.push(c);
      clientPorts.push(c.localPort!);
    }
    await waitFor('5 accepted', () => (accepted.length === 5 ? true : undefined), 5000, 10);
    // The server closes first (its side goes TIME_WAIT once each client closes too), then the listener.
    const ended = clients.map((c) => new Promise<void>((r) => c.once('end', () => r())));
    for (const a of accepted) a.end();
    await Promise.all(ended);
    for (const c of clients) c.end();
    await new Promise<void>((r) => server.close(() => r()));
    const source = createSource('netlink');
    const snap = await waitFor(
      'the server side of 5 connections in TIME_WAIT',
      async () => {
        const s = await source.collect({ protocols: ['tcp'], processes: 'none' });
        const tw = s.sockets.filter((k) => k.local.port === port && k.state === 'TIME_WAIT' && clientPorts.includes(k.peer.port));
        return tw.length === 5 ? s : undefined;
      },
      10_000,
      50,
    );
    const ephemeral = ephemeralRange(snap);
    assert.ok(port < ephemeral[0], `${port} below the ephemeral range ${ephemeral.join('-')}`);

    const doc = buildSnapshotReport(snap, []);
    const row = doc.ports.find((p) => p.protocol === 'tcp' && p.port === port);
    assert.ok(row, `tcp:${port} in ports[]`);
    assert.ok(row.states.TIME_WAIT >= 5, `ports[${port}].states.TIME_WAIT ${row.states.TIME_WAIT}`);
    const twice = doc.outgoing.filter((o) => o.protocol === 'tcp' && clientPorts.includes(o.peerPort));
    assert.deepEqual(twice, [], 'no outgoing row for the clients\' ephemeral ports (the server side of those sockets is on a served port)');

    const tables = buildPortTables(snap.sockets, new Map(), { map: new Map() }, ephemeral);
    assert.ok(tables.local.some((r) => r.id === `tcp:${port}` && r.summary.states.TIME_WAIT >= 5), 'the monitor\'s local-ports row');
    const peerTwice = tables.peer().filter((r) => r.summary.protocol === 'tcp' && clientPorts.includes(r.summary.peerPort));
    assert.deepEqual(peerTwice.map((r) => r.id), [], 'the monitor\'s outgoing table (Tab) has no row for them either');

    // Each of this test's sockets is counted in one table, never in both.
    const ours = snap.sockets.filter((k) => k.protocol === 'tcp' && (k.local.port === port || k.peer.port === port));
    const inPorts = ours.filter((k) => doc.ports.some((p) => p.protocol === 'tcp' && p.port === k.local.port)).length;
    const inOutgoing = ours.filter((k) => doc.outgoing.some((o) => o.protocol === 'tcp' && o.peerPort === k.peer.port)).length;
    assert.equal(inPorts, 5, 'the 5 server-side sockets under ports[]');
    assert.equal(inOutgoing, ours.length - 5, 'the clients\' sides (if still there) under outgoing[] only');
  } finally {
    for (const c of clients) c.destroy();
    for (const a of accepted) a.destroy();
    server.close();
  }
});

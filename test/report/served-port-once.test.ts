// A server port's TIME_WAIT sockets (its listener closed) are in the local-ports table only, not again as
// one-socket outgoing rows keyed by each client's ephemeral port: `sockscope --json` and the monitor's
// tables (buildPortTables, the Tab view) put every socket in exactly one of the two. Real loopback sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSource } from '../../src/collect/index.js';
import { ephemeralRange } from '../../src/model/snapshot.js';
import { buildSnapshotReport } from '../../src/report/snapshot-report.js';
import { buildPortTables } from '../../src/ui/derive.js';
import { portSockets } from '../../src/ui/table-model.js';
import { buildAnalyzeReport, recommendationsFor } from '../../src/report/analyze.js';
import { freeLowPort, waitFor } from '../helpers/free-port.js';
import { acceptedPairs } from '../helpers/accepted-pairs.js';

test('a closed server port still holding TIME_WAIT: its sockets are in ports[], not in outgoing[] (JSON and monitor)', async () => {
  const pairs = await acceptedPairs(await freeLowPort(), 5);
  const { server, port, accepted, clients, clientPorts } = pairs;
  try {
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
    // A client's ephemeral port is free once it closed, and a test running alongside may connect to it again:
    // a row for such a port may exist, but it counts only sockets other than this server's side.
    const others = (cp: number): number =>
      snap.sockets.filter((k) => k.protocol === 'tcp' && k.peer.port === cp && k.local.port !== port).length;
    const twice = doc.outgoing
      .filter((o) => o.protocol === 'tcp' && clientPorts.includes(o.peerPort) && o.total !== others(o.peerPort))
      .map((o) => `${o.peerPort}: ${o.total} sockets, ${others(o.peerPort)} not this server's`);
    assert.deepEqual(twice, [], 'no outgoing row counts the server side of the clients\' connections (it is on a served port)');

    const tables = buildPortTables(snap.sockets, new Map(), { map: new Map() }, ephemeral);
    assert.ok(tables.local.some((r) => r.id === `tcp:${port}` && r.summary.states.TIME_WAIT >= 5), 'the monitor\'s local-ports row');
    const peerTwice = tables.peer().filter((r) => r.summary.protocol === 'tcp' && clientPorts.includes(r.summary.peerPort) && r.summary.total !== others(r.summary.peerPort));
    assert.deepEqual(peerTwice.map((r) => r.id), [], 'the monitor\'s outgoing table (Tab) does not count them either');

    // Each of this test's sockets is counted in one table, never in both.
    const ours = snap.sockets.filter((k) => k.protocol === 'tcp' && (k.local.port === port || k.peer.port === port));
    const inPorts = ours.filter((k) => doc.ports.some((p) => p.protocol === 'tcp' && p.port === k.local.port)).length;
    const clientSides = ours.filter((k) => k.peer.port === port);
    const inOutgoing = clientSides.filter((k) => doc.outgoing.some((o) => o.protocol === 'tcp' && o.peerPort === k.peer.port)).length;
    assert.equal(inPorts, 5, 'the 5 server-side sockets under ports[]');
    assert.equal(ours.length - clientSides.length, 5, 'the rest are the clients\' sides');
    assert.equal(inOutgoing, clientSides.length, 'the clients\' sides (if still there) under outgoing[] only');
  } finally {
    pairs.destroy();
  }
});

test('a closed server port still holding CLOSE_WAIT: the rules, analyze --peer-port and the peer drill-down follow the same rule', async () => {
  // The accepted sockets are never closed: CLOSE_WAIT once the clients close.
  const pairs = await acceptedPairs(await freeLowPort(), 12, { allowHalfOpen: true });
  const { server, port, clients, clientPorts } = pairs;
  try {
    for (const c of clients) c.end();
    // close() stops listening at once; its callback would wait for the accepted sockets, kept open here.
    server.close();
    const source = createSource('netlink');
    const snap = await waitFor(
      'the server side of 12 connections in CLOSE_WAIT',
      async () => {
        const s = await source.collect({ protocols: ['tcp'], processes: 'all' });
        const cw = s.sockets.filter((k) => k.local.port === port && k.state === 'CLOSE_WAIT' && clientPorts.includes(k.peer.port));
        return cw.length === 12 ? s : undefined;
      },
      10_000,
      50,
    );
    const ephemeral = ephemeralRange(snap);
    assert.ok(port < ephemeral[0]);

    // The rules group them under the server's port (as its ports[] row), not as 12 outgoing groups of 1.
    const recs = recommendationsFor(snap, {});
    const cw = recs.find((r) => r.id === 'close-wait-accumulating' && r.port === port);
    assert.ok(cw, `close-wait-accumulating for port ${port}: ${recs.map((r) => `${r.id}:${r.port ?? ''}/${r.peerPort ?? ''}`).join(' ')}`);
    assert.equal(recs.filter((r) => r.peerPort !== undefined && clientPorts.includes(r.peerPort)).length, 0, 'no recommendation about a client port');

    // analyze --peer-port CLIENTPORT: this host's outgoing connections to it; the server side is not one.
    const asPeer = buildAnalyzeReport(snap, { peerPort: clientPorts[0] });
    const serverSide = snap.sockets.filter((k) => k.local.port === port && k.peer.port === clientPorts[0]);
    assert.equal(serverSide.length, 1);
    assert.equal(asPeer.total, snap.sockets.filter((k) => k.peer.port === clientPorts[0] && k.local.port !== port).length, 'only the client side (if any), not the server side');

    // The monitor's drill-down into an outgoing row takes the same sockets as the row.
    const frame = { view: 'port', id: `tcp:${clientPorts[0]}`, port: clientPorts[0], protocol: 'tcp', direction: 'peer' } as const;
    assert.deepEqual(portSockets(snap.sockets, frame as never, ephemeral).filter((k) => k.local.port === port), []);
  } finally {
    pairs.destroy();
  }
});

// A client bound to a fixed source port outside the ephemeral range (NFS-style 876 -> 2049, a UDP socket on
// 5301 connected to 5300) is an outgoing connection: `--peer-port P`, the outgoing tables (--json outgoing[],
// the monitor's Tab view and its trend samples, the drill-down) and the rules' facts count it, and its fixed
// port is no row of the local-ports table. A server's sockets after its listener closed (peer ports in the
// ephemeral range) stay under the server's port. Real loopback sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Socket as NetSocket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createSource } from '../../src/collect/index.js';
import { ephemeralRange, type Snapshot } from '../../src/model/snapshot.js';
import { socketsToPeerPort } from '../../src/model/aggregate.js';
import { buildSnapshotReport } from '../../src/report/snapshot-report.js';
import { buildPortTables, localPortSamples } from '../../src/ui/derive.js';
import { peerPortCounts } from '../../src/ui/hooks/useMonitorData.js';
import { factsOf } from '../../src/advise/facts.js';
import { freeLowPort, waitFor } from '../helpers/free-port.js';

const tcpConnect = (port: number, localPort?: number): Promise<NetSocket> =>
  new Promise((resolve, reject) => {
    const c = connect({ host: '127.0.0.1', port, ...(localPort ? { localAddress: '127.0.0.1', localPort } : {}) }, () => resolve(c));
    c.once('error', reject);
  });

const udpBound = (port: number): Promise<UdpSocket> =>
  new Promise((resolve, reject) => {
    const u = createSocket('udp4');
    u.once('error', reject);
    u.bind(port, '127.0.0.1', () => resolve(u));
  });

async function collect(what: string, ready: (s: Snapshot) => boolean): Promise<Snapshot> {
  const source = createSource('netlink');
  return waitFor(what, async () => {
    const s = await source.collect({ protocols: ['tcp', 'udp'], processes: 'none' });
    return ready(s) ? s : undefined;
  });
}

test('a client bound to a fixed port outside the ephemeral range is outgoing, not a served port (TCP and UDP)', async () => {
  const [serverPort, clientPort, udpServerPort, udpClientPort] = [await freeLowPort(), await freeLowPort(), await freeLowPort(), await freeLowPort()];
  const accepted: NetSocket[] = [];
  const server = createServer((s) => accepted.push(s));
  await new Promise<void>((r) => server.listen(serverPort, '127.0.0.1', () => r()));
  const clients: NetSocket[] = [];
  const udp: UdpSocket[] = [];
  try {
    clients.push(await tcpConnect(serverPort)); // an ordinary client: an ephemeral source port
    clients.push(await tcpConnect(serverPort, clientPort)); // bound to a fixed port, as an NFS client's 876
    const u = await udpBound(udpServerPort);
    udp.push(u);
    const c = await udpBound(udpClientPort);
    udp.push(c);
    await new Promise<void>((r) => c.connect(udpServerPort, '127.0.0.1', () => r()));
    const snap = await collect('both TCP clients and the connected UDP socket', (s) =>
      s.sockets.filter((k) => k.protocol === 'tcp' && k.peer.port === serverPort && k.state === 'ESTABLISHED').length === 2 &&
      s.sockets.some((k) => k.protocol === 'udp' && k.local.port === udpClientPort && k.peer.port === udpServerPort),
    );
    const eph = ephemeralRange(snap);
    for (const p of [serverPort, clientPort, udpServerPort, udpClientPort]) assert.ok(p < eph[0], `${p} below the ephemeral range ${eph.join('-')}`);

    // analyze --peer-port and the drill-down's sockets (socketsToPeerPort).
    const toTcp = socketsToPeerPort(snap.sockets, serverPort, 'tcp', undefined, eph);
    assert.ok(toTcp.some((k) => k.local.port === clientPort), `--peer-port ${serverPort} counts the client on ${clientPort}`);
    assert.equal(toTcp.length, 2, `--peer-port ${serverPort}: both clients`);
    const toUdp = socketsToPeerPort(snap.sockets, udpServerPort, 'udp', undefined, eph);
    assert.deepEqual(toUdp.map((k) => k.local.port), [udpClientPort], `--peer-port ${udpServerPort}: the connected UDP socket`);

    // --json: no row of ports[] for the clients' fixed ports; outgoing[] counts them.
    const doc = buildSnapshotReport(snap, []);
    const ports = doc.ports.map((p) => `${p.protocol}:${p.port}`);
    assert.ok(!ports.includes(`tcp:${clientPort}`), `ports[] has no tcp:${clientPort} (${ports.join(' ')})`);
    assert.ok(!ports.includes(`udp:${udpClientPort}`), `ports[] has no udp:${udpClientPort}`);
    assert.ok(ports.includes(`tcp:${serverPort}`) && ports.includes(`udp:${udpServerPort}`), 'the servers are rows of ports[]');
    assert.equal(doc.outgoing.find((o) => o.protocol === 'tcp' && o.peerPort === serverPort)?.total, 2, `outgoing[] tcp:${serverPort}`);
    assert.equal(doc.outgoing.find((o) => o.protocol === 'udp' && o.peerPort === udpServerPort)?.total, 1, `outgoing[] udp:${udpServerPort}`);

    // The monitor: its tables, the trend samples made without them, the rules' facts.
    const tables = buildPortTables(snap.sockets, new Map(), { map: new Map() }, eph);
    const local = tables.local.map((r) => r.id);
    assert.ok(!local.includes(`tcp:${clientPort}`) && !local.includes(`udp:${udpClientPort}`), `monitor rows: ${local.join(' ')}`);
    assert.equal(tables.peer().find((r) => r.id === `peer:tcp:${serverPort}` || (r.summary.protocol === 'tcp' && r.summary.peerPort === serverPort))?.summary.total, 2);
    const samples = localPortSamples(snap.sockets, eph);
    assert.ok(!samples.has(`tcp:${clientPort}`) && !samples.has(`udp:${udpClientPort}`), 'no trend sample for the clients\' fixed ports');
    assert.deepEqual([...samples.keys()].sort(), [...tables.samples.keys()].sort(), 'localPortSamples: the same rows as buildPortTables');
    const counts = peerPortCounts(snap.sockets, eph);
    const peerRows = new Map(tables.peer().map((r) => [r.id, r.summary.total]));
    assert.deepEqual([...counts.entries()].sort(), [...peerRows.entries()].sort(), 'peerPortCounts: the outgoing table\'s totals');
    const facts = factsOf(snap);
    assert.ok(facts.groups.get(`out:tcp:${serverPort}`)?.sockets.some((k) => k.local.port === clientPort), 'facts: the fixed-port client is outgoing');
    assert.ok(!facts.groups.has(`in:tcp:${clientPort}`) && !facts.groups.has(`in:udp:${udpClientPort}`), 'facts: no incoming group for the fixed ports');
    // analyze --port on the client's port still counts its sockets there (a port asked about is served).
    assert.ok(factsOf(snap, clientPort).groups.get(`in:tcp:${clientPort}`)?.states.ESTABLISHED === 1, `factsOf(snap, ${clientPort})`);
  } finally {
    for (const c of clients) c.destroy();
    for (const a of accepted) a.destroy();
    for (const u of udp) u.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('a server that closed its listener keeps its ESTABLISHED connections under its port', async () => {
  const serverPort = await freeLowPort();
  const accepted: NetSocket[] = [];
  const server = createServer((s) => accepted.push(s));
  await new Promise<void>((r) => server.listen(serverPort, '127.0.0.1', () => r()));
  const clients: NetSocket[] = [];
  try {
    for (let i = 0; i < 3; i++) clients.push(await tcpConnect(serverPort));
    await waitFor('3 accepted', () => (accepted.length === 3 ? true : undefined));
    server.close(); // stops listening at once; its callback would wait for the connections, which stay open
    const snap = await collect('the server side of 3 connections without a listener', (s) =>
      !s.sockets.some((k) => k.protocol === 'tcp' && k.local.port === serverPort && k.state === 'LISTEN') &&
      s.sockets.filter((k) => k.protocol === 'tcp' && k.local.port === serverPort && k.state === 'ESTABLISHED').length === 3,
    );
    const eph = ephemeralRange(snap);
    const clientPorts = clients.map((c) => c.localPort!);
    assert.ok(clientPorts.every((p) => p >= eph[0] && p <= eph[1]), 'clients on ephemeral ports');
    const doc = buildSnapshotReport(snap, []);
    assert.equal(doc.ports.find((p) => p.protocol === 'tcp' && p.port === serverPort)?.states.ESTABLISHED, 3, 'ports[]: the server row');
    const tables = buildPortTables(snap.sockets, new Map(), { map: new Map() }, eph);
    const serverSides = tables.peer().filter((r) => r.summary.protocol === 'tcp' && clientPorts.includes(r.summary.peerPort));
    // A client's ephemeral port could be reused by a test alongside; this server's side is never counted there.
    for (const r of serverSides) {
      const others = snap.sockets.filter((k) => k.protocol === 'tcp' && k.peer.port === r.summary.peerPort && k.local.port !== serverPort).length;
      assert.equal(r.summary.total, others, `outgoing row ${r.id} does not count the server's side`);
    }
    assert.equal(socketsToPeerPort(snap.sockets, clientPorts[0], 'tcp', undefined, eph).filter((k) => k.local.port === serverPort).length, 0);
  } finally {
    for (const c of clients) c.destroy();
    for (const a of accepted) a.destroy();
  }
});

// User review s26 #2 and #3. Tied rows sorted by their ids as text ('tcp:10000' before 'tcp:9000'): they keep
// the table's home order now (ports by number, tcp before udp). The / filter found a state only by the kernel's
// name (time_wait): ss's (time-wait), the column's (t-wait) and the header's (tw) find it too. Real loopback
// sockets read by netlink.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import dgram from 'node:dgram';
import net from 'node:net';
import { createSource } from '../../src/collect/index.js';
import { ephemeralRange } from '../../src/model/snapshot.js';
import { buildPortTables } from '../../src/ui/derive.js';
import { socketId } from '../../src/ui/identity.js';
import { matchesFilter, stateTerms } from '../../src/ui/tables/filter.js';
import { groupByPeer, PEER_GROUP_SORTS } from '../../src/ui/tables/peers.js';
import { PEER_PORT_SORTS, type PeerPortRow } from '../../src/ui/tables/peer-ports.js';
import { PORT_SORTS, portSearchTerms } from '../../src/ui/tables/ports.js';
import { SOCKET_SORTS, socketSearchTerms } from '../../src/ui/tables/sockets.js';
import { compareIds, sortRows } from '../../src/ui/tables/sorting.js';
import { waitFor } from '../helpers/free-port.js';

/** Listens on a free port of 4 digits and one of 5 (text order and number order differ between them). */
async function listenOn(candidates: number[], count: number): Promise<net.Server[]> {
  const out: net.Server[] = [];
  for (const port of candidates) {
    if (out.length === count) break;
    const s = net.createServer();
    const ok = await new Promise<boolean>((r) => {
      s.once('error', () => r(false));
      s.listen(port, '127.0.0.1', () => r(true));
    });
    if (ok) out.push(s);
  }
  assert.equal(out.length, count, 'free ports to listen on');
  return out;
}

const sortIndex = (id: string) => PORT_SORTS.findIndex((d) => d.id === id);

test('ports tied on ESTAB and queue keep the home order: by number (9000 before 10000), tcp before udp', async () => {
  const low = await listenOn([9000, 9500, 9100, 9600, 9200, 9700, 9300, 9800], 2);
  const high = await listenOn([10000, 10500, 10100, 10600, 10200, 10700, 10300, 10800], 2);
  const servers = [...low, ...high];
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((r) => udp.bind(ports[2], '127.0.0.1', () => r()));
  try {
    const source = createSource('netlink');
    const snap = await source.collect({ protocols: ['tcp', 'udp'], processes: 'none' });
    const { local } = buildPortTables(snap.sockets, new Map(), { map: new Map() }, ephemeralRange(snap));
    const mine = local.filter((r) => ports.includes(r.summary.port) && r.summary.protocol !== 'unix');
    const home = [...ports].sort((a, b) => a - b).flatMap((p) => (p === ports[2] ? [`tcp:${p}`, `udp:${p}`] : [`tcp:${p}`]));
    // Shuffled, as the rows come from the collector in any order.
    const shuffled = [mine[2], mine[4], mine[0], mine[3], mine[1]].filter(Boolean);
    assert.equal(shuffled.length, 5);
    const ids = (index: number, reversed: boolean) => sortRows(shuffled, PORT_SORTS, { index, reversed }, (r) => r.id).map((r) => r.id);
    assert.deepEqual(ids(sortIndex('port'), false), home, 'the home view: port ↑');
    for (const by of ['estab', 'queue', 'total', 'timewait', 'peers', 'health']) {
      // Every row has 0 ESTAB, an empty queue...: the ties read as the home view, whichever direction.
      const tied = new Set(shuffled.map((r) => PORT_SORTS[sortIndex(by)].key(r)));
      if (tied.size !== 1) continue;
      assert.deepEqual(ids(sortIndex(by), false), home, `sort: ${by} ↓`);
      assert.deepEqual(ids(sortIndex(by), true), home, `sort: ${by} ↑`);
    }
    assert.deepEqual(ids(sortIndex('estab'), false), home, 'ESTAB ties (0 each)');
  } finally {
    udp.close();
    for (const s of servers) s.close();
  }
});

test('ids compare with their numbers as numbers; the outgoing table and peer groups tie the same way', () => {
  assert.ok(compareIds('tcp:9000', 'tcp:10000') < 0);
  assert.ok(compareIds('tcp:10500', 'tcp:9500') > 0);
  assert.ok(compareIds('tcp:80', 'udp:80') < 0);
  assert.ok(compareIds('peer 10.0.0.9', 'peer 10.0.0.10') < 0);
  assert.ok(compareIds('hostA tcp:2024', 'hostA tcp:18777') < 0);
  assert.equal(compareIds('tcp:80', 'tcp:80'), 0);
  const peerPort = (port: number, total: number): PeerPortRow =>
    ({ id: `peer:tcp:${port}`, health: 'ok', trend: [], summary: { peerPort: port, protocol: 'tcp', total, peerCount: 1, processes: [], topPeers: [], states: { ESTABLISHED: total, SYN_SENT: 0, TIME_WAIT: 0, CLOSE_WAIT: 0 } } }) as unknown as PeerPortRow;
  const rows = [peerPort(10000, 1), peerPort(18777, 2), peerPort(9000, 1), peerPort(2024, 2)];
  const byTotal = PEER_PORT_SORTS.findIndex((d) => d.id === 'total');
  assert.deepEqual(sortRows(rows, PEER_PORT_SORTS, { index: byTotal, reversed: false }, (r) => r.id).map((r) => r.summary.peerPort), [2024, 18777, 9000, 10000]);
});

test('`/time-wait`, `/tw`, `/t-wait` find the port holding TIME_WAIT (and `/cw`, `/close-wait` the CLOSE_WAIT one), no other', async () => {
  const twServer = net.createServer((c) => c.end()); // the server closes first: its side goes TIME_WAIT
  const cwServer = net.createServer({ allowHalfOpen: true }, (c) => c.on('error', () => {}));
  await new Promise<void>((r) => twServer.listen(0, '127.0.0.1', () => r()));
  await new Promise<void>((r) => cwServer.listen(0, '127.0.0.1', () => r()));
  const twPort = (twServer.address() as net.AddressInfo).port;
  const cwPort = (cwServer.address() as net.AddressInfo).port;
  const tw = net.connect(twPort, '127.0.0.1');
  tw.on('error', () => {});
  tw.on('end', () => tw.end());
  const cw = net.connect(cwPort, '127.0.0.1');
  cw.on('error', () => {});
  cw.once('connect', () => cw.end()); // the server never closes: its side goes CLOSE_WAIT
  try {
    const source = createSource('netlink');
    const snap = await waitFor(
      'TIME_WAIT on one port, CLOSE_WAIT on the other',
      async () => {
        const s = await source.collect({ protocols: ['tcp'], processes: 'none' });
        const has = (port: number, state: string) => s.sockets.some((k) => k.protocol === 'tcp' && k.local.port === port && k.state === state);
        return has(twPort, 'TIME_WAIT') && has(cwPort, 'CLOSE_WAIT') ? s : undefined;
      },
      10_000,
      50,
    );
    // Both servers are listening ports below the ephemeral range or not: served ports either way (listeners).
    const { local } = buildPortTables(snap.sockets, new Map(), { map: new Map() }, ephemeralRange(snap));
    const twRow = local.find((r) => r.id === `tcp:${twPort}`)!;
    const cwRow = local.find((r) => r.id === `tcp:${cwPort}`)!;
    assert.ok(twRow && cwRow, 'both ports in the ports table');
    for (const word of ['time_wait', 'time-wait', 'TIME-WAIT', 't-wait', 'tw']) {
      assert.ok(matchesFilter(portSearchTerms(twRow), word), `${word}: the TIME_WAIT port (${portSearchTerms(twRow).join(' ')})`);
      assert.ok(!matchesFilter(portSearchTerms(cwRow), word), `${word}: not the CLOSE_WAIT port`);
    }
    for (const word of ['close_wait', 'close-wait', 'c-wait', 'cw', 'close']) {
      assert.ok(matchesFilter(portSearchTerms(cwRow), word), `${word}: the CLOSE_WAIT port`);
      assert.ok(!matchesFilter(portSearchTerms(twRow), word), `${word}: not the TIME_WAIT port`);
    }
    // Kept: `est` finds no port here holding no ESTABLISHED socket, `listen` both.
    assert.ok(!matchesFilter(portSearchTerms(twRow), 'est'));
    assert.ok(matchesFilter(portSearchTerms(twRow), 'listen') && matchesFilter(portSearchTerms(cwRow), 'lis'));
    // The port view: the TIME_WAIT socket by ss's name, and by peer group.
    const twSockets = snap.sockets.filter((s) => s.protocol === 'tcp' && s.local.port === twPort);
    const timeWait = twSockets.find((s) => s.state === 'TIME_WAIT')!;
    const listener = twSockets.find((s) => s.state === 'LISTEN')!;
    assert.ok(matchesFilter(socketSearchTerms({ id: socketId(timeWait), socket: timeWait }), 'time-wait'));
    assert.ok(!matchesFilter(socketSearchTerms({ id: socketId(listener), socket: listener }), 'time-wait'));
    const [group] = groupByPeer(twSockets);
    assert.ok(group && matchesFilter([group.address, ...Object.entries(group.states).filter(([, n]) => n > 0).map(([s]) => stateTerms(s, group.protocol))], 'tw'));
    // The socket list's ties keep its home order (state): a LISTEN before the TIME_WAIT on an equal RECV-Q.
    const recvq = SOCKET_SORTS.findIndex((d) => d.id === 'recvq');
    const sorted = sortRows([timeWait, listener].map((s) => ({ id: socketId(s), socket: s })), SOCKET_SORTS, { index: recvq, reversed: false }, (r) => r.id);
    if (listener.recvQ === 0) assert.deepEqual(sorted.map((r) => r.socket.state), ['LISTEN', 'TIME_WAIT']);
    assert.ok(PEER_GROUP_SORTS.length > 0);
  } finally {
    tw.destroy();
    cw.destroy();
    twServer.close();
    cwServer.close();
  }
});

test('state terms: ss and the monitor name every state; an unconnected UDP socket is UNCONN only', () => {
  const finds = (state: string, word: string, protocol = 'tcp') => matchesFilter([stateTerms(state, protocol)], word);
  assert.ok(finds('SYN_RECV', 'syn-recv') && finds('SYN_RECV', 'syn-r') && finds('SYN_RECV', 'syn_recv'));
  assert.ok(finds('FIN_WAIT1', 'fin-wait-1') && finds('FIN_WAIT2', 'fin-w') && finds('LAST_ACK', 'last-ack'));
  assert.ok(finds('SYN_SENT', 'syn-sent') && finds('CLOSE', 'unconn') && finds('CLOSE', 'close'));
  assert.ok(finds('CLOSE', 'unconn', 'udp') && !finds('CLOSE', 'close', 'udp'));
  // Short names select only their state.
  for (const s of ['ESTABLISHED', 'LISTEN', 'SYN_RECV', 'SYN_SENT', 'CLOSE_WAIT', 'FIN_WAIT1', 'FIN_WAIT2', 'LAST_ACK', 'CLOSING', 'CLOSE']) assert.ok(!finds(s, 'tw'), `tw: not ${s}`);
  for (const s of ['ESTABLISHED', 'LISTEN', 'SYN_RECV', 'SYN_SENT', 'TIME_WAIT', 'FIN_WAIT1', 'FIN_WAIT2', 'LAST_ACK', 'CLOSING', 'CLOSE']) assert.ok(!finds(s, 'cw'), `cw: not ${s}`);
  for (const s of ['LISTEN', 'SYN_RECV', 'SYN_SENT', 'TIME_WAIT', 'CLOSE_WAIT', 'FIN_WAIT1', 'FIN_WAIT2', 'LAST_ACK', 'CLOSING', 'CLOSE']) assert.ok(!finds(s, 'est'), `est: not ${s}`);
});

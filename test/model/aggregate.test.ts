import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PortAggregator, countStates, isListener, socketsOnPort, socketsToPeerPort, summarizePeerPorts, summarizePorts } from '../../src/model/aggregate.js';
import { History, counterRate, ratePerSecond } from '../../src/model/history.js';
import { normalizeAddress, formatEndpoint, type Socket } from '../../src/model/socket.js';
import { unknownSysctls, type Snapshot } from '../../src/model/snapshot.js';
import { escapeControl } from '../../src/model/escape.js';
import { seeded } from '../helpers/seeded.js';

function tcp(state: Socket['state'], local: [string, number], peer: [string, number], extra: Partial<Socket> = {}): Socket {
  return { protocol: 'tcp', ipVersion: 4, state, local: { address: local[0], port: local[1] }, peer: { address: peer[0], port: peer[1] }, recvQ: 0, sendQ: 0, processes: [], ...extra };
}

const web = { pid: 10, name: 'nginx', fd: 6 };
const worker = { pid: 11, name: 'nginx', fd: 6 };
const SOCKETS: Socket[] = [
  tcp('LISTEN', ['0.0.0.0', 80], ['0.0.0.0', 0], { recvQ: 3, sendQ: 511, processes: [web, worker], inode: 1 }),
  tcp('ESTABLISHED', ['10.0.0.1', 80], ['10.0.0.9', 5000], { recvQ: 10, processes: [worker] }),
  tcp('ESTABLISHED', ['10.0.0.1', 80], ['10.0.0.9', 5001]),
  tcp('CLOSE_WAIT', ['10.0.0.1', 80], ['10.0.0.8', 5002], { recvQ: 1 }),
  tcp('TIME_WAIT', ['10.0.0.1', 80], ['10.0.0.7', 5003]),
  // outgoing: this host to a database on 5432 and to a web API on 443
  tcp('ESTABLISHED', ['10.0.0.1', 40000], ['10.0.0.50', 5432], { sendQ: 7, processes: [{ pid: 20, name: 'app', fd: 9 }] }),
  tcp('TIME_WAIT', ['10.0.0.1', 40001], ['10.0.0.50', 5432]),
  tcp('TIME_WAIT', ['10.0.0.1', 40002], ['10.0.0.51', 5432]),
  tcp('SYN_SENT', ['10.0.0.1', 40003], ['192.0.2.1', 443]),
  { protocol: 'udp', ipVersion: 4, state: 'CLOSE', local: { address: '0.0.0.0', port: 53 }, peer: { address: '0.0.0.0', port: 0 }, recvQ: 768, sendQ: 0, processes: [{ pid: 30, name: 'dns', fd: 4 }] },
  { protocol: 'unix', state: 'LISTEN', local: { address: '/run/x.sock', port: 0 }, peer: { address: '', port: 0 }, recvQ: 0, sendQ: 5, processes: [] },
];

test('per (protocol, local port): states, listeners with backlog and accept queue, owners, peers, queues', () => {
  const ports = summarizePorts(SOCKETS);
  assert.deepEqual(
    ports.map((p) => `${p.protocol}:${p.port}`),
    ['tcp:80', 'tcp:40000', 'tcp:40001', 'tcp:40002', 'tcp:40003', 'udp:53'],
    'sorted by protocol then port; unix skipped',
  );
  const p80 = ports[0];
  assert.equal(p80.total, 5);
  assert.equal(p80.states.ESTABLISHED, 2);
  assert.equal(p80.states.CLOSE_WAIT, 1);
  assert.equal(p80.states.TIME_WAIT, 1);
  assert.equal(p80.states.LISTEN, 1);
  assert.equal(p80.states.SYN_RECV, 0, 'every state present');
  assert.deepEqual(p80.listeners, [{ address: '0.0.0.0', port: 80, protocol: 'tcp', backlog: 511, acceptQueue: 3, processes: [web, worker], inode: 1, ipVersion: 4 }]);
  assert.deepEqual(
    p80.processes.map((p) => p.pid),
    [10, 11],
  );
  assert.equal(p80.peerCount, 3);
  assert.deepEqual(p80.topPeers[0], { address: '10.0.0.9', count: 2 });
  assert.equal(p80.recvQ, 11, 'listener queue not counted as data');
  const dns = ports.find((p) => p.protocol === 'udp')!;
  assert.equal(dns.listeners[0].backlog, null, 'UDP has no backlog');
  assert.equal(dns.listeners[0].acceptQueue, 768);
});

test('backlog unknown (procfs/netstat) is null, not 0', () => {
  const [p] = summarizePorts([tcp('LISTEN', ['0.0.0.0', 22], ['0.0.0.0', 0], { sendQ: 0, sendQUnknown: true })]);
  assert.equal(p.listeners[0].backlog, null);
});

test('outgoing connections grouped by peer port; incoming ones excluded', () => {
  const peers = summarizePeerPorts(SOCKETS);
  assert.deepEqual(
    peers.map((p) => `${p.protocol}:${p.peerPort}`),
    ['tcp:443', 'tcp:5432'],
  );
  const db = peers[1];
  assert.equal(db.total, 3);
  assert.equal(db.states.TIME_WAIT, 2);
  assert.equal(db.peerCount, 2);
  assert.equal(db.sendQ, 7);
  assert.deepEqual(
    db.processes.map((p) => p.name),
    ['app'],
  );
  assert.equal(socketsToPeerPort(SOCKETS, 5432).length, 3);
  assert.equal(socketsToPeerPort(SOCKETS, 5000).length, 0, 'replies from our port 80 are not outgoing');
  assert.equal(socketsOnPort(SOCKETS, 80).length, 5);
  assert.equal(countStates(SOCKETS).TIME_WAIT, 3);
});

test('listeners: TCP LISTEN, unconnected bound UDP; not connected UDP', () => {
  assert.equal(isListener(SOCKETS[0]), true);
  assert.equal(isListener(SOCKETS[9]), true);
  assert.equal(isListener({ ...SOCKETS[9], peer: { address: '10.0.0.2', port: 53 }, state: 'ESTABLISHED' }), false);
});

test('addresses: mapped IPv4 shown as IPv4, scopes kept, brackets for IPv6', () => {
  assert.deepEqual(normalizeAddress('::ffff:192.0.2.1'), { address: '192.0.2.1', mapped: true, scope: undefined });
  assert.deepEqual(normalizeAddress('FE80::1%eth0'), { address: 'fe80::1', scope: 'eth0', mapped: false });
  assert.equal(formatEndpoint({ address: 'fe80::1', port: 22, scope: 'eth0' }), '[fe80::1%eth0]:22');
  assert.equal(formatEndpoint({ address: '0.0.0.0', port: 0 }), '0.0.0.0:*');
});

test('escapeControl: terminal escapes in process names are shown, not executed', () => {
  assert.equal(escapeControl('ev\x1b[31mil'), 'ev\\x1b[31mil');
  assert.equal(escapeControl('a\nb\tc\\'), 'a\\nb\\tc\\\\');
  assert.equal(escapeControl('x\u009by\u202ez'), 'x\\u009by\\u202ez');
  assert.equal(escapeControl('plain name (1)'), 'plain name (1)');
});

function snap(time: number, overflows: number): Snapshot {
  return {
    time,
    hostname: 'h',
    kernel: 'k',
    source: 'fixture',
    durationMs: 1,
    sockets: [],
    counters: { netstat: { TcpExt: { ListenOverflows: overflows } }, snmp: null, sockstat: null },
    sysctls: unknownSysctls(),
    attribution: { scope: 'none', complete: true, hiddenProcesses: 0 },
    notes: [],
  };
}

test('history: bounded by count and age; rates from counters, resets are unknown', () => {
  const h = new History(3, 10_000);
  for (let i = 0; i < 5; i++) h.push(snap(1000 * i, i * 10));
  assert.equal(h.all().length, 3);
  assert.equal(h.latest()!.time, 4000);
  assert.equal(counterRate(h.all(), 'netstat', 'TcpExt', 'ListenOverflows'), 10);
  h.push(snap(30_000, 0));
  assert.equal(h.all().length, 1, 'older than maxAge dropped');
  assert.equal(ratePerSecond(100, 50, 1000), null, 'counter reset');
  assert.equal(ratePerSecond(null, 50, 1000), null);
  assert.equal(counterRate([snap(0, 1)], 'netstat', 'TcpExt', 'ListenOverflows'), null);
});

test('sockets of several hosts: summaries per (host, protocol, port), sorted by host; outgoing judged per host', () => {
  const onB = (s: Socket): Socket => ({ ...s, host: 'b' });
  const onA = (s: Socket): Socket => ({ ...s, host: 'a' });
  const sockets = [
    onB(tcp('LISTEN', ['0.0.0.0', 80], ['0.0.0.0', 0], { sendQ: 128 })),
    onB(tcp('ESTABLISHED', ['10.0.0.2', 80], ['10.0.0.9', 5000])),
    onA(tcp('LISTEN', ['0.0.0.0', 80], ['0.0.0.0', 0], { sendQ: 511 })),
    onA(tcp('LISTEN', ['0.0.0.0', 22], ['0.0.0.0', 0])),
    // only b listens on 8080; a's connection from local port 8080 is a's outgoing one
    onB(tcp('LISTEN', ['0.0.0.0', 8080], ['0.0.0.0', 0])),
    onA(tcp('ESTABLISHED', ['10.0.0.1', 8080], ['10.0.0.50', 5432])),
  ];
  const ports = summarizePorts(sockets);
  assert.deepEqual(
    ports.map((p) => `${p.host} ${p.protocol}:${p.port} ${p.total}`),
    ['a tcp:22 1', 'a tcp:80 1', 'a tcp:8080 1', 'b tcp:80 2', 'b tcp:8080 1'],
  );
  assert.equal(ports.find((p) => p.host === 'a' && p.port === 80)!.listeners[0].backlog, 511);
  // a's socket from local port 8080 is outgoing on a (b's listener on 8080 does not make it incoming)
  assert.deepEqual(
    summarizePeerPorts(sockets).map((p) => `${p.host} ${p.peerPort} ${p.total}`),
    ['a 5432 1'],
  );
  assert.equal(socketsOnPort(sockets, 80, 'tcp', 'b').length, 2);
  assert.equal(socketsToPeerPort(sockets, 5432, 'tcp', 'a').length, 1);
  assert.equal(socketsToPeerPort(sockets, 5432, 'tcp', 'b').length, 0);
  // without hosts nothing changes: no host field on the summaries
  assert.equal('host' in summarizePorts(SOCKETS)[0], false);
});

test('PortAggregator fed before attribution equals summarizePorts after it; a remembered aggregation is reused', async () => {
  const { PortAggregator, rememberPortSummaries, summarizePorts } = await import('../../src/model/aggregate.js');
  const mk = (port: number, peer: string, state: Socket['state'], recvQ = 0): Socket => ({
    protocol: 'tcp',
    ipVersion: 4,
    state,
    local: { address: state === 'LISTEN' ? '0.0.0.0' : '10.0.0.1', port },
    peer: { address: peer, port: state === 'LISTEN' ? 0 : 40000 + recvQ },
    recvQ,
    sendQ: state === 'LISTEN' ? 128 : 0,
    processes: [],
  });
  const sockets = [mk(80, '0.0.0.0', 'LISTEN'), mk(80, '10.0.0.9', 'ESTABLISHED', 1), mk(80, '10.0.0.9', 'CLOSE_WAIT', 2), mk(80, '10.0.0.8', 'ESTABLISHED', 3), mk(443, '10.0.0.7', 'TIME_WAIT')];
  const agg = new PortAggregator();
  for (const s of sockets) agg.add(s);
  // Attribution after the dump replaces the listener's processes array.
  sockets[0].processes = [{ pid: 42, name: 'nginx', fd: 6 }];
  rememberPortSummaries(sockets, agg);
  const fresh = summarizePorts([...sockets]);
  const reused = summarizePorts(sockets);
  assert.deepEqual(reused, fresh);
  assert.deepEqual(reused[0].processes, [{ pid: 42, name: 'nginx', fd: 6 }]);
  assert.deepEqual(reused[0].listeners[0].processes, [{ pid: 42, name: 'nginx', fd: 6 }]);
  // The same summaries again (finished once), as a fresh array each time.
  const again = summarizePorts(sockets);
  assert.notEqual(again, reused);
  assert.deepEqual(again, reused);
});

/** The summaries written the plain way (group, count, sort everything): what the aggregator must equal. */
function referenceSummaries(sockets: readonly Socket[]): { key: string; total: number; states: Record<string, number>; peerCount: number; topPeers: { address: string; count: number }[]; recvQ: number; sendQ: number }[] {
  const groups = new Map<string, Socket[]>();
  for (const s of sockets) {
    if (s.protocol === 'unix') continue;
    const key = `${s.protocol}:${s.local.port}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const order = (k: string) => (k.startsWith('tcp') ? 0 : 65536) + Number(k.split(':')[1]);
  return [...groups.keys()]
    .sort((a, b) => order(a) - order(b))
    .map((key) => {
      const list = groups.get(key)!;
      const states = Object.fromEntries(['ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING'].map((st) => [st, list.filter((s) => s.state === st).length]));
      const peers = new Map<string, number>();
      let recvQ = 0;
      let sendQ = 0;
      for (const s of list) {
        const listener = isListener(s);
        if (!listener || s.protocol === 'udp') {
          recvQ += s.recvQ;
          sendQ += s.sendQ;
        }
        if (!listener && s.peer.address !== '0.0.0.0') peers.set(s.peer.address, (peers.get(s.peer.address) ?? 0) + 1);
      }
      const topPeers = [...peers]
        .map(([address, count]) => ({ address, count }))
        .sort((a, b) => b.count - a.count || (a.address < b.address ? -1 : 1))
        .slice(0, 5);
      return { key, total: list.length, states, peerCount: peers.size, topPeers, recvQ, sendQ };
    });
}

test('random socket lists: summaries equal the plain group-count-sort (few peers, many peers, thousands of ports)', () => {
  const rnd = seeded(7);
  const states: Socket['state'][] = ['ESTABLISHED', 'TIME_WAIT', 'CLOSE_WAIT', 'SYN_SENT', 'FIN_WAIT2'];
  for (const [count, ports, peers] of [
    [300, 40, 3],
    [2000, 50, 30], // ports with more than FEW_PEERS distinct peers: a Map each
    [30000, 9000, 12], // more than 4,096 ports: the key-ordered table walk
  ] as const) {
    const sockets: Socket[] = [];
    for (let i = 0; i < count; i++) {
      const port = 1 + rnd(ports);
      if (rnd(50) === 0) {
        sockets.push(tcp('LISTEN', ['0.0.0.0', port], ['0.0.0.0', 0], { sendQ: 128, recvQ: rnd(3) }));
        continue;
      }
      if (rnd(10) === 0) {
        sockets.push({ protocol: 'udp', ipVersion: 4, state: 'ESTABLISHED', local: { address: '10.0.0.1', port }, peer: { address: `10.1.0.${rnd(peers)}`, port: 53 }, recvQ: rnd(100), sendQ: 0, processes: [] });
        continue;
      }
      sockets.push(tcp(states[rnd(states.length)], ['10.0.0.1', port], [`10.2.${rnd(2)}.${rnd(peers)}`, 1024 + rnd(60000)], { recvQ: rnd(5), sendQ: rnd(5) }));
    }
    const got = summarizePorts(sockets).map((p) => ({ key: `${p.protocol}:${p.port}`, total: p.total, states: { ...p.states }, peerCount: p.peerCount, topPeers: p.topPeers, recvQ: p.recvQ, sendQ: p.sendQ }));
    assert.deepEqual(got, referenceSummaries(sockets), `${count} sockets on ${ports} ports, ${peers * 2} peer addresses`);
  }
});

test('a rolling PortAggregator (add what is new, remove what is gone, finish again) equals a fresh aggregation every round', () => {
  const rnd = seeded(11);
  const states: Socket['state'][] = ['ESTABLISHED', 'TIME_WAIT', 'CLOSE_WAIT', 'SYN_SENT', 'FIN_WAIT2'];
  const owner = [{ pid: 42, name: 'srv', fd: 3 }];
  // Connections live across rounds as the same objects (as SocketReuse hands them back); listeners are
  // made anew every round, as the kernel's dump makes the collector do.
  const connection = (ports: number, peers: number): Socket => {
    const port = 1 + rnd(ports);
    if (rnd(10) === 0) return { protocol: 'udp', ipVersion: 4, state: 'ESTABLISHED', local: { address: '10.0.0.1', port }, peer: { address: `10.1.0.${rnd(peers)}`, port: 53 }, recvQ: rnd(100), sendQ: 0, processes: [] };
    if (rnd(30) === 0) return { protocol: 'unix', state: 'ESTABLISHED', local: { address: '/run/x', port: 0 }, peer: { address: '', port: 0 }, recvQ: 0, sendQ: 0, processes: [] };
    return tcp(states[rnd(states.length)], ['10.0.0.1', port], [rnd(40) === 0 ? '0.0.0.0' : `10.2.${rnd(2)}.${rnd(peers)}`, 1024 + rnd(60000)], { recvQ: rnd(5), sendQ: rnd(5) });
  };
  const listeners = (ports: number): Socket[] => {
    const out: Socket[] = [];
    for (let p = 1; p <= ports; p += 7) {
      if (rnd(3) === 0) continue; // some rounds a port has no listener, and so no owner
      out.push(tcp('LISTEN', ['0.0.0.0', p], ['0.0.0.0', 0], { sendQ: 128, recvQ: rnd(3), processes: owner }));
      if (p % 3 === 0) out.push({ protocol: 'udp', ipVersion: 4, state: 'CLOSE', local: { address: '0.0.0.0', port: p }, peer: { address: '0.0.0.0', port: 0 }, recvQ: rnd(9), sendQ: 0, processes: owner });
    }
    return out;
  };
  for (const [count, ports, peers] of [
    [400, 30, 3],
    [3000, 40, 30], // ports past FEW_PEERS distinct peers: a Map each, emptied and refilled
    [20000, 6000, 12], // more than 4,096 ports: the key-ordered table walk
  ] as const) {
    let live: Socket[] = [];
    for (let i = 0; i < count; i++) live.push(connection(ports, peers));
    let lastListeners: Socket[] = [];
    const rolling = new PortAggregator();
    let previous: Socket[] = [];
    for (let round = 0; round < 12; round++) {
      // Some connections end, new ones start (round 6 drops almost all: ports empty, then fill again).
      const keep = round === 6 ? 20 : 85;
      const kept = live.filter(() => rnd(100) < keep);
      const started: Socket[] = [];
      for (let i = 0; i < count - kept.length; i++) started.push(connection(ports, peers));
      live = [...kept, ...started];
      // Owners written to sockets that stay (as attribution of every socket would): a port whose counts
      // did not change still lists its owners afresh.
      for (let k = 0; k < 3 && kept.length > 0; k++) {
        const s = kept[rnd(kept.length)];
        s.processes = s.processes.length === 0 ? owner : [];
      }
      const ls = listeners(ports);
      // Dump order: interleaved; listeners first on their port, as the kernel's listening hash comes first.
      const sockets = [...ls, ...live].sort((a, b) => a.local.port - b.local.port || (a.state === 'LISTEN' ? -1 : 0));
      const now = new Set(sockets);
      for (const s of previous) if (!now.has(s)) rolling.remove(s);
      const before = new Set(previous);
      for (const s of sockets) if (!before.has(s)) rolling.add(s);
      const fresh = new PortAggregator();
      for (const s of sockets) fresh.add(s);
      assert.deepEqual(rolling.finish(sockets), fresh.finish(sockets), `${count} sockets, round ${round}`);
      previous = sockets;
      lastListeners = ls;
    }
    assert.ok(lastListeners.length > 0);
  }
});

test('a rolling aggregation says when ports left without sockets outnumber the others (the collector then starts afresh)', () => {
  const agg = new PortAggregator();
  const sockets: Socket[] = [];
  for (let p = 1; p <= 9000; p++) sockets.push(tcp('ESTABLISHED', ['10.0.0.1', 20000 + p], ['10.0.0.2', 443]));
  for (const s of sockets) agg.add(s);
  assert.equal(agg.mostlyEmpty(), false);
  for (const s of sockets.slice(0, 4000)) agg.remove(s);
  assert.equal(agg.mostlyEmpty(), false, '4,000 empty, 5,000 used');
  for (const s of sockets.slice(4000, 8000)) agg.remove(s);
  assert.equal(agg.mostlyEmpty(), true, '8,000 empty, 1,000 used');
  assert.equal(agg.finish(sockets.slice(8000)).length, 1000, 'empty ports are not listed');
});

test('a UDP port\'s fullest connected socket, kept exact through a rolling aggregator\'s removals', () => {
  const udp = (peerPort: number, recvQ: number): Socket => ({ protocol: 'udp', ipVersion: 4, state: 'ESTABLISHED', local: { address: '127.0.0.1', port: 4433 }, peer: { address: '127.0.0.2', port: peerPort }, recvQ, sendQ: 0, processes: [] });
  const bound: Socket = { protocol: 'udp', ipVersion: 4, state: 'CLOSE', local: { address: '0.0.0.0', port: 4433 }, peer: { address: '0.0.0.0', port: 0 }, recvQ: 300, sendQ: 0, processes: [] };
  const a = udp(50001, 9000);
  const b = udp(50002, 9000);
  const c = udp(50003, 2000);
  const d = udp(50004, 0);
  const agg = new PortAggregator();
  for (const s of [bound, a, b, c, d]) agg.add(s);
  const at = () => agg.finish([]).find((p) => p.port === 4433)!;
  assert.equal(at().recvQ, 20300, 'every socket\'s bytes');
  assert.equal(at().fullestConnectedRecvQ, 9000, 'the fullest connected one, not the sum');
  agg.remove(a);
  assert.equal(at().fullestConnectedRecvQ, 9000, 'another socket holds as many');
  agg.remove(b);
  assert.equal(at().fullestConnectedRecvQ, 2000);
  agg.remove(c);
  assert.equal(at().fullestConnectedRecvQ, undefined, 'no connected socket holds any');
  assert.deepEqual(summarizePorts([bound, a, c]).find((p) => p.port === 4433)!.fullestConnectedRecvQ, 9000, 'summarizePorts too');
  assert.equal(summarizePorts(SOCKETS).find((p) => p.port === 80)!.fullestConnectedRecvQ, undefined, 'TCP has none');
});

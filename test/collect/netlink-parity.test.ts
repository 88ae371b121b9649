// The netlink collector against ss on real loopback sockets (test/helpers/scenario.ts): same sockets,
// states, ports, queues, inodes, uids, owning pids, and tcp_info rtt within a tolerance.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createSource, registerSource } from '../../src/collect/index.js';
import { NetlinkSource } from '../../src/collect/netlink.js';
import { dumpSockets } from '../../src/collect/netlink-dumps.js';
import { NetlinkError } from '../../src/collect/netlink-socket.js';
import { run } from '../../src/collect/exec.js';
import type { Socket } from '../../src/model/socket.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { parseSs } from '../../src/parse/ss.js';
import { openScenario, type Scenario } from '../helpers/scenario.js';

let sc: Scenario;
let nl: Snapshot;
let ss: Socket[];

const key = (s: Socket) => `${s.protocol} ${s.local.address}:${s.local.port} ${s.peer.address}:${s.peer.port}`;

before(async () => {
  sc = await openScenario();
  // Both views of the same sockets, taken back to back.
  nl = await new NetlinkSource().collect({ processes: 'all', details: true });
  const r = await run('ss', ['-tuxanOHe', '-i'], { timeoutMs: 10_000 });
  assert.equal(r.exitCode, 0, r.stderr);
  ss = parseSs(r.stdout);
});

after(async () => {
  await sc?.close();
});

test('every scenario socket is there with its state, ports, queues, inode and owner', () => {
  assert.equal(nl.source, 'netlink');
  for (const e of sc.expected) {
    const found = nl.sockets.filter(
      (s) =>
        s.protocol === e.protocol &&
        s.ipVersion === e.ipVersion &&
        s.state === e.state &&
        s.local.address === e.localAddress &&
        s.local.port === e.localPort &&
        (e.peerPort === -1 || (s.peer.port === e.peerPort && s.peer.address === e.peerAddress)),
    );
    assert.ok(found.length >= 1, `${e.role}: ${e.protocol} ${e.state} ${e.localAddress}:${e.localPort} -> ${e.peerAddress}:${e.peerPort} not found`);
    const s = found[0];
    assert.equal(s.recvQ, e.recvQ, `${e.role}: Recv-Q`);
    if (e.sendQ !== undefined) assert.equal(s.sendQ, e.sendQ, `${e.role}: Send-Q`);
    if (e.backlog !== undefined) assert.equal(s.sendQ, e.backlog, `${e.role}: backlog`);
    if (e.state === 'TIME_WAIT') assert.equal(s.inode, undefined, 'TIME_WAIT has no inode');
    else if (e.inode) assert.equal(s.inode, e.inode, `${e.role}: inode`);
    if (e.state !== 'TIME_WAIT') assert.equal(s.uid, process.getuid?.(), `${e.role}: uid`);
    assert.deepEqual(
      [...new Set(s.processes.map((p) => p.pid))].sort((a, b) => a - b),
      e.pids,
      `${e.role}: owning pids`,
    );
  }
});

test('same sockets as ss on the scenario ports: states, queues, inode, uid; rtt within tolerance', () => {
  // Every scenario socket has a port of one of its servers (listeners, UDP, the TIME_WAIT port) at one
  // end. Its client ports are not enough: connect() of another test may take one of them as its own
  // local port towards another destination, and that connection can change between the two reads.
  const serverPorts = new Set(sc.expected.filter((e) => e.peerPort <= 0).map((e) => e.localPort));
  const mine = (list: Socket[]) => list.filter((s) => s.protocol !== 'unix' && (serverPorts.has(s.local.port) || serverPorts.has(s.peer.port)));
  const a = new Map(mine(nl.sockets).map((s) => [`${key(s)} ${s.state}`, s]));
  const b = new Map(mine(ss).map((s) => [`${key(s)} ${s.state}`, s]));
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort(), 'the same sockets');
  let rttCompared = 0;
  for (const [k, x] of a) {
    const y = b.get(k)!;
    assert.equal(x.recvQ, y.recvQ, `${k} Recv-Q`);
    assert.equal(x.sendQ, y.sendQ, `${k} Send-Q`);
    assert.equal(x.ipVersion, y.ipVersion, `${k} IP version`);
    assert.equal(x.inode ?? 0, y.inode ?? 0, `${k} inode`);
    if (y.uid !== undefined && x.state !== 'TIME_WAIT' && x.state !== 'SYN_RECV') assert.equal(x.uid, y.uid, `${k} uid`);
    if (y.cookie !== undefined) assert.equal(x.cookie, y.cookie, `${k} cookie`);
    const r1 = x.tcpInfo?.rttUs;
    const r2 = y.tcpInfo?.rttUs;
    if (x.state === 'ESTABLISHED' && r1 !== undefined && r2 !== undefined && r2 > 0) {
      // Loopback rtt moves between the two reads: allow 5 ms or 50 %, whichever is larger.
      assert.ok(Math.abs(r1 - r2) <= Math.max(5000, r2 / 2), `${k} rtt ${r1}us vs ss ${r2}us`);
      assert.equal(x.tcpInfo?.congestion, y.tcpInfo?.congestion, `${k} congestion control`);
      rttCompared++;
    }
  }
  assert.ok(rttCompared >= 3, `rtt compared on ${rttCompared} established sockets`);
});

test('unix sockets: listener path with a space, the connected pair, inodes and peers as ss shows them', () => {
  const u = sc.unix;
  const listener = nl.sockets.find((s) => s.protocol === 'unix' && s.inode === u.listenerInode)!;
  assert.ok(listener, 'unix listener');
  assert.equal(listener.state, 'LISTEN');
  assert.equal(listener.local.address, u.path);
  assert.equal(listener.unixType, 'stream');
  const server = nl.sockets.find((s) => s.inode === u.serverInode)! as Socket & { peerInode?: number };
  const client = nl.sockets.find((s) => s.inode === u.clientInode)! as Socket & { peerInode?: number };
  assert.equal(server.state, 'ESTABLISHED');
  assert.equal(server.peerInode, u.clientInode);
  assert.equal(client.peerInode, u.serverInode);
  const fromSs = ss.filter((s) => s.protocol === 'unix' && [u.listenerInode, u.serverInode, u.clientInode].includes(s.inode!));
  assert.equal(fromSs.length, 3);
  for (const y of fromSs) {
    const x = nl.sockets.find((s) => s.protocol === 'unix' && s.inode === y.inode)!;
    assert.equal(x.state, y.state);
    assert.equal(x.local.address, y.local.address);
    assert.equal(x.peer.address, y.peer.address);
    assert.equal(x.recvQ, y.recvQ);
    assert.equal(x.sendQ, y.sendQ);
    assert.equal(x.unixType, y.unixType);
  }
  assert.ok(listener.processes.some((p) => p.pid === sc.pid), 'unix listener owner');
});

test('the kernel applies the port filter; details only when asked; unix skipped for a port', async () => {
  const port = sc.closeWait.port;
  const r = await dumpSockets({ port });
  assert.ok(r.sockets.length >= 2);
  assert.ok(r.sockets.every((s) => s.local.port === port), 'only the asked local port');
  assert.ok(r.sockets.every((s) => s.tcpInfo === undefined && s.skmem === undefined), 'no tcp_info unless details');
  const either = await dumpSockets({ port: sc.listener.port, peerPort: sc.closeWait.port, protocols: ['tcp'] });
  assert.ok(either.sockets.some((s) => s.local.port === sc.listener.port));
  assert.ok(either.sockets.some((s) => s.peer.port === sc.closeWait.port && s.state === 'FIN_WAIT2'));
  assert.ok(either.sockets.every((s) => s.local.port === sc.listener.port || s.peer.port === sc.closeWait.port));
  const par = await dumpSockets({ port, parallel: true, details: true });
  assert.deepEqual(par.sockets.map(key).sort(), r.sockets.map(key).sort(), 'one socket per dump gives the same result as one socket for all');
  assert.ok(par.sockets.filter((s) => s.protocol === 'tcp').every((s) => s.state === 'TIME_WAIT' || s.tcpInfo?.rttUs !== undefined));
  assert.deepEqual(par.stats.map((s) => s.what), ['sock_diag tcp', 'sock_diag udp4', 'sock_diag udp6'], 'TCP of both families in one dump; no unix dump for a port');
});

test('the TCP dump of both families (TCPDIAG_GETSOCK) returns what the per-family dumps return', async () => {
  const ident = (s: Socket) => `${s.cookie ?? ''} ${key(s)} ${s.state} ${s.inode ?? ''}`;
  for (const opts of [{ protocols: ['tcp'] as const }, { protocols: ['tcp'] as const, port: sc.listener.port, details: true }, { protocols: ['tcp'] as const, peerPort: sc.closeWait.port }]) {
    // Back to back, twice, so that a socket of another test changing state in between cannot fail it.
    let same = false;
    let diff = '';
    for (let attempt = 0; attempt < 3 && !same; attempt++) {
      const both = await dumpSockets(opts);
      const per = await dumpSockets({ ...opts, tcpBothFamilies: false });
      assert.deepEqual(both.notes, []);
      assert.equal(both.stats[0].what, 'sock_diag tcp');
      assert.deepEqual(per.stats.map((s) => s.what), ['sock_diag tcp4', 'sock_diag tcp6']);
      const a = both.sockets.map(ident).sort();
      const b = per.sockets.map(ident).sort();
      same = JSON.stringify(a) === JSON.stringify(b);
      if (!same) {
        // Sets: on a host with 100,000 sockets, Array.includes made this diff run for many minutes.
        const inA = new Set(a);
        const inB = new Set(b);
        diff = `${a.filter((x) => !inB.has(x)).slice(0, 3).join(' | ')} vs ${b.filter((x) => !inA.has(x)).slice(0, 3).join(' | ')}`;
      }
      if (opts.details) assert.ok(both.sockets.filter((s) => s.state !== 'TIME_WAIT').every((s) => s.tcpInfo?.rttUs !== undefined), 'tcp_info asked through the first interface too');
    }
    assert.ok(same, `${JSON.stringify(opts)}: ${diff}`);
  }
  // Both families really come back from the one walk: the scenario's IPv6 sockets are in it.
  const all = await dumpSockets({ protocols: ['tcp'] });
  assert.ok(all.sockets.some((s) => s.ipVersion === 6), 'an IPv6 socket (the scenario listens on ::1)');
  assert.ok(all.sockets.some((s) => s.ipVersion === 4));
});

test('a failing netlink falls back to ss in auto mode, with the reason in sourceNote', async () => {
  const failing = new NetlinkSource(async () => {
    throw new NetlinkError('socket(AF_NETLINK, NETLINK_SOCK_DIAG)', 13);
  });
  registerSource('netlink', () => failing, true);
  const snap = await createSource('auto').collect({ protocols: ['tcp'], port: sc.listener.port });
  assert.notEqual(snap.source, 'netlink');
  assert.match(snap.sourceNote ?? '', /netlink: socket\(AF_NETLINK, NETLINK_SOCK_DIAG\): EACCES/);
  assert.ok(snap.sockets.some((s) => s.state === 'LISTEN' && s.local.port === sc.listener.port));
  await assert.rejects(createSource('netlink').collect({}), /netlink: .*EACCES/);
});

test('works unprivileged: a non-root uid sees the same scenario sockets', { skip: process.getuid?.() !== 0 ? 'needs root to switch to nobody' : false }, () => {
  const script = fileURLToPath(new URL('./netlink-unprivileged.fixture.mts', import.meta.url));
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', script, String(sc.closeWait.port)], {
    encoding: 'utf8',
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    timeout: 30_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { states: string[]; uids: number[] };
  assert.deepEqual(got.states.sort(), ['CLOSE_WAIT', 'LISTEN']);
  assert.deepEqual([...new Set(got.uids)], [0], 'root-owned sockets are visible with their uid');
});

test('the per-port summaries built during the dump equal a fresh aggregation of the snapshot', async () => {
  const { summarizePorts } = await import('../../src/model/aggregate.js');
  const during = summarizePorts(nl.sockets); // the collector's aggregator, finished after attribution
  const fresh = summarizePorts([...nl.sockets]); // a new array: aggregated from scratch
  assert.deepEqual(during, fresh);
  const port = during.find((p) => p.protocol === 'tcp' && p.port === sc.listener.port);
  assert.ok(port && port.listeners.length > 0 && port.processes.length > 0, 'the scenario listener with its process');
});

// SocketReuse on real loopback sockets: a NetlinkSource that polls hands back the same object for a
// socket the kernel reports unchanged, a new one for a socket that changed, and never reuses across
// a collection whose attribution writes to every socket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket as NetSocket } from 'node:net';
import { once } from 'node:events';
import { NetlinkSource } from '../../src/collect/netlink.js';
import '../../src/collect/processes.js';
import { PortAggregator, summarizePorts, type PortSummary } from '../../src/model/aggregate.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { Socket } from '../../src/model/socket.js';

let server: Server;
let port = 0;
const accepted: NetSocket[] = [];
const clients: NetSocket[] = [];

before(async () => {
  // pauseOnConnect: nothing is read, so bytes a client writes stay in the server side's receive queue.
  server = createServer({ pauseOnConnect: true }, (s) => {
    s.on('error', () => undefined); // a client closing with bytes unread resets the connection
    accepted.push(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as { port: number }).port;
  for (let i = 0; i < 5; i++) {
    const c = connect(port, '127.0.0.1');
    await once(c, 'connect');
    clients.push(c);
  }
  while (accepted.length < 5) await new Promise((r) => setTimeout(r, 5));
});

after(() => {
  for (const s of [...clients, ...accepted]) s.destroy();
  server.close();
});

/** Summaries of `sockets` aggregated from scratch, to compare a rolled aggregation with. */
function fresh(sockets: Socket[]): PortSummary[] {
  const agg = new PortAggregator();
  for (const s of sockets) agg.add(s);
  return agg.finish(sockets);
}

/** The server side of each connection (local port = the server's), by peer port. */
function serverSide(sockets: Socket[]): Map<number, Socket> {
  const m = new Map<number, Socket>();
  for (const s of sockets) if (s.protocol === 'tcp' && s.local.port === port && s.state === 'ESTABLISHED') m.set(s.peer.port, s);
  return m;
}

for (const filtered of [false, true]) {
  test(`${filtered ? 'a port-filtered dump' : 'the whole-host dump'}: unchanged sockets are the same objects, a changed one is new and right`, async () => {
    const src = new NetlinkSource();
    const opts = filtered ? { port } : {};
    const a = await src.collect(opts);
    const b = await src.collect(opts);
    const sa = serverSide(a.sockets);
    const sb = serverSide(b.sockets);
    assert.equal(sa.size, 5);
    assert.equal(sb.size, 5);
    for (const [peer, s] of sb) assert.equal(s, sa.get(peer), `server side of :${peer} reused`);
    const listenA = a.sockets.find((s) => s.local.port === port && s.state === 'LISTEN')!;
    const listenB = b.sockets.find((s) => s.local.port === port && s.state === 'LISTEN')!;
    assert.notEqual(listenB, listenA, 'the listener (attribution writes its owner) is made anew');
    assert.deepEqual(listenB.processes.map((p) => p.pid), [process.pid]);

    // 1,000 unread bytes on one connection: its server side is a new object with Recv-Q 1000; the others stay.
    const writer = clients[filtered ? 1 : 0];
    writer.write(Buffer.alloc(1000, 1));
    const peerPort = writer.localPort!;
    let c: Map<number, Socket> = sb;
    for (let i = 0; i < 100 && c.get(peerPort)!.recvQ !== 1000; i++) {
      await new Promise((r) => setTimeout(r, 10));
      c = serverSide((await src.collect(opts)).sockets);
    }
    const changed = c.get(peerPort)!;
    assert.equal(changed.recvQ, 1000);
    assert.notEqual(changed, sb.get(peerPort));
    assert.equal(sb.get(peerPort)!.recvQ, 0, 'the earlier snapshot keeps what it saw');
    for (const [peer, s] of c) if (peer !== peerPort) assert.equal(s, sa.get(peer));
    // What a fresh source (no reuse) reads is what the polling one returned.
    const fresh = serverSide((await new NetlinkSource().collect(opts)).sockets);
    for (const [peer, s] of fresh) assert.deepEqual(c.get(peer), s);
  });
}

test('a collection that attributes every socket reuses nothing and leaves earlier snapshots as they were', async () => {
  const src = new NetlinkSource();
  const a = await src.collect({ port });
  const all = await src.collect({ port, processes: 'all' });
  const sa = serverSide(a.sockets);
  const sall = serverSide(all.sockets);
  for (const [peer, s] of sall) {
    assert.notEqual(s, sa.get(peer));
    assert.deepEqual(s.processes.map((p) => p.pid), [process.pid]);
    assert.deepEqual(sa.get(peer)!.processes, [], 'the listeners-only snapshot still shows no owner for a connection');
  }
  // The next listeners-only poll does not pick up objects attribution wrote to.
  const b = await src.collect({ port });
  for (const [peer, s] of serverSide(b.sockets)) {
    assert.notEqual(s, sall.get(peer));
    assert.deepEqual(s.processes, []);
  }
});

test('the per-port aggregation rolls from poll to poll and always equals a fresh one; an idle port keeps its summary object', async () => {
  const src = new NetlinkSource();
  const extra: NetSocket[] = [];
  let previous: Snapshot | undefined;
  let previousSummaries: PortSummary[] | undefined;
  for (let round = 0; round < 6; round++) {
    // Between polls: two connections open, one closes, bytes arrive on another.
    for (let i = 0; i < 2; i++) {
      const c = connect(port, '127.0.0.1');
      c.on('error', () => undefined);
      await once(c, 'connect');
      extra.push(c);
    }
    if (round % 2 === 1) extra.shift()!.destroy();
    extra[extra.length - 1].write(Buffer.alloc(10 + round));
    await new Promise((r) => setTimeout(r, 30));
    const snap = await src.collect({});
    if (round === 3 && previous) {
      // Asked only now, after the next poll rolled the aggregation on: made afresh, still right.
      assert.deepEqual(summarizePorts(previous.sockets), fresh(previous.sockets));
    }
    if (round === 2) {
      // Nobody asks for this poll's summaries before the next poll (the monitor skips an unchanged one).
      previous = snap;
      previousSummaries = undefined;
      continue;
    }
    const got = summarizePorts(snap.sockets);
    assert.deepEqual(got, fresh(snap.sockets), `round ${round}`);
    // The client end of an idle connection from before(): its port's summary is the same object.
    const idle = clients[4].localPort!;
    const mine = got.find((p) => p.protocol === 'tcp' && p.port === idle)!;
    assert.ok(mine.total >= 1);
    if (previousSummaries) assert.equal(mine, previousSummaries.find((p) => p.protocol === 'tcp' && p.port === idle), `round ${round}: unchanged port, same summary`);
    previous = snap;
    previousSummaries = got;
  }
  for (const c of extra) c.destroy();
});

test('two polls of one source at once: the second neither reuses nor rolls, both are right, and the next poll rolls again', async () => {
  const src = new NetlinkSource();
  const mine = (snap: Snapshot) => serverSide(snap.sockets);
  const before = mine(await src.collect({ port }));
  const [a, b] = await Promise.all([src.collect({ port }), src.collect({ port })]);
  assert.deepEqual(summarizePorts(a.sockets), fresh(a.sockets));
  assert.deepEqual(summarizePorts(b.sockets), fresh(b.sockets));
  // The one that began first took the poll before's objects; the other made its own.
  const [ma, mb] = [mine(a), mine(b)];
  const aFirst = [...ma].every(([peer, s]) => s === before.get(peer));
  const [winner, other] = aFirst ? [ma, mb] : [mb, ma];
  for (const [peer, s] of winner) {
    assert.equal(s, before.get(peer));
    assert.notEqual(s, other.get(peer));
  }
  const c = await src.collect({ port });
  assert.deepEqual(summarizePorts(c.sockets), fresh(c.sockets));
  for (const [peer, s] of mine(c)) assert.equal(s, winner.get(peer), 'the next poll rolls on from the poll that reused');
});

test('a collector keeps what it carries over for its 4 most recent kinds of dump (the monitor\'s port filter makes one per port)', async () => {
  const src = new NetlinkSource();
  const mine = (snap: Snapshot) => serverSide(snap.sockets);
  const first = mine(await src.collect({ port }));
  // Three more kinds: the filtered one is still kept, and reused.
  for (const p of [1, 2, 3]) await src.collect({ port: p });
  const again = mine(await src.collect({ port }));
  for (const [peer, s] of again) assert.equal(s, first.get(peer), 'kept among the 4 most recent');
  // Four other kinds since: dropped, so its sockets are made anew.
  for (const p of [4, 5, 6, 7]) await src.collect({ port: p });
  const later = mine(await src.collect({ port }));
  assert.equal(later.size, 5);
  for (const [peer, s] of later) assert.notEqual(s, again.get(peer), 'dropped after four other kinds');
});

// CollectOptions.detailsFor on real loopback sockets: netlink gives tcp_info and socket memory to the TCP sockets
// with the scope's port at either end only (a second, port-filtered dump), lists every socket once as the unscoped dump does, and gives
// the scope's sockets the same details the unscoped dump gives them. overlayDetails on built sockets: a socket
// that appeared between the two dumps is not added.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket as NetSocket } from 'node:net';
import { once } from 'node:events';
import { NetlinkSource } from '../../src/collect/netlink.js';
import { overlayDetails } from '../../src/collect/scoped-details.js';
import type { CollectOptions } from '../../src/collect/source.js';
import type { Socket } from '../../src/model/socket.js';

const servers: Server[] = [];
const ports: number[] = [];
const held: NetSocket[] = [];
/** Bytes each client of port i wrote (unread by the server: pauseOnConnect), to tell tcp_info apart. */
const WROTE = [300, 700];

before(async () => {
  for (let i = 0; i < 2; i++) {
    const accepted: NetSocket[] = [];
    const server = createServer({ pauseOnConnect: true }, (s) => {
      s.on('error', () => undefined);
      accepted.push(s);
      held.push(s);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.push(server);
    const port = (server.address() as { port: number }).port;
    ports.push(port);
    for (let k = 0; k < 4; k++) {
      const c = connect(port, '127.0.0.1');
      await once(c, 'connect');
      c.write(Buffer.alloc(WROTE[i], 1));
      held.push(c);
    }
    while (accepted.length < 4) await new Promise((r) => setTimeout(r, 5));
  }
  // Let the written bytes reach the server sides' receive queues.
  await new Promise((r) => setTimeout(r, 50));
});

after(() => {
  for (const s of held) s.destroy();
  for (const s of servers) s.close();
});

const ours = (s: Socket) => s.protocol === 'tcp' && (ports.includes(s.local.port) || ports.includes(s.peer.port));
const key = (s: Socket) => `${s.local.port}>${s.peer.port} ${s.state}`;

async function collect(extra: CollectOptions): Promise<Socket[]> {
  const snap = await new NetlinkSource().collect({ protocols: ['tcp'], processes: 'none', details: true, ...extra });
  return snap.sockets.filter(ours);
}

test('a port in scope: its sockets (listener, accepted) and the other ends of its connections have tcp_info and skmem, no other socket has either', async () => {
  const [a, b] = ports;
  const got = await collect({ detailsFor: { protocol: 'tcp', port: a } });
  // 2 listeners, 8 accepted, 8 clients.
  assert.equal(got.length, 18);
  for (const s of got) {
    if (s.local.port === a || s.peer.port === a) {
      assert.ok(s.tcpInfo, `${key(s)} has tcp_info`);
      assert.ok(s.skmem, `${key(s)} has skmem`);
    } else {
      assert.equal(s.tcpInfo, undefined, `${key(s)} has no tcp_info`);
      assert.equal(s.skmem, undefined, `${key(s)} has no skmem`);
    }
  }
  assert.equal(got.filter((s) => s.tcpInfo).length, 9, "a's listener, its 4 accepted sockets and their 4 clients");
  const served = got.filter((s) => s.local.port === a && s.state === 'ESTABLISHED');
  assert.equal(served.length, 4);
  for (const s of served) {
    assert.equal(s.recvQ, WROTE[0], 'unread bytes of port a');
    assert.equal(s.tcpInfo!.bytesReceived, WROTE[0], "port a's own tcp_info, not another socket's");
  }
  // The clients' side (peer port a): what they sent, acknowledged (tcpi_bytes_acked counts the SYN too).
  for (const s of got.filter((x) => x.peer.port === a)) assert.equal(s.tcpInfo!.bytesAcked, WROTE[0] + 1, key(s));
  assert.ok(got.some((s) => s.local.port === b && s.state === 'LISTEN'));
});

test('the other port in scope: the same split the other way', async () => {
  const [a, b] = ports;
  const got = await collect({ detailsFor: { protocol: 'tcp', port: b } });
  assert.equal(got.length, 18);
  for (const s of got) assert.equal(s.tcpInfo !== undefined, s.local.port === b || s.peer.port === b, key(s));
  for (const s of got.filter((x) => x.peer.port === b)) assert.equal(s.tcpInfo!.bytesAcked, WROTE[1] + 1, key(s));
  assert.ok(!got.some((s) => (s.local.port === a || s.peer.port === a) && s.skmem));
});

test('the scoped collection lists the same sockets as the unscoped one, and the same tcp_info for the scope', async () => {
  const [a] = ports;
  const all = await collect({});
  const scoped = await collect({ detailsFor: { protocol: 'tcp', port: a } });
  assert.deepEqual(scoped.map(key).sort(), all.map(key).sort());
  assert.equal(all.filter((s) => s.tcpInfo).length, 18, 'unscoped: every socket detailed');
  const byCookie = new Map(all.map((s) => [s.cookie, s]));
  for (const s of scoped.filter((x) => x.local.port === a && x.state === 'ESTABLISHED')) {
    const u = byCookie.get(s.cookie)!;
    assert.equal(s.tcpInfo!.bytesReceived, u.tcpInfo!.bytesReceived);
    assert.equal(s.tcpInfo!.congestion, u.tcpInfo!.congestion);
    assert.equal(s.skmem!.rcvbuf, u.skmem!.rcvbuf);
    assert.equal(s.skmem!.rmemAlloc, u.skmem!.rmemAlloc);
  }
});

test('a dump already filtered on a port ignores the scope: every socket it lists is detailed', async () => {
  const [a, b] = ports;
  const got = await collect({ port: b, detailsFor: { protocol: 'tcp', port: a } });
  assert.ok(got.length >= 5);
  for (const s of got) assert.ok(s.tcpInfo, key(s));
});

test('overlayDetails: sockets with the port at either end, in both dumps, get details; one only in the second dump is not added', () => {
  const sock = (local: number, peer: number, cookie: string, extra: Partial<Socket> = {}): Socket => ({
    protocol: 'tcp',
    ipVersion: 4,
    state: 'ESTABLISHED',
    local: { address: '127.0.0.1', port: local },
    peer: { address: '127.0.0.1', port: peer },
    recvQ: 0,
    sendQ: 0,
    processes: [],
    cookie,
    ...extra,
  }) as Socket;
  const info = { rttUs: 100 } as Socket['tcpInfo'];
  const all = [sock(80, 40000, '1'), sock(80, 40001, '2'), sock(81, 40002, '3'), sock(40000, 80, '4')];
  const detailed = [sock(80, 40000, '1', { tcpInfo: info }), sock(80, 40003, '9', { tcpInfo: info }), sock(81, 40002, '3', { tcpInfo: info }), sock(40000, 80, '4', { tcpInfo: info })];
  assert.equal(overlayDetails(all, detailed, { protocol: 'tcp', port: 80 }), 2);
  assert.equal(all.length, 4);
  assert.equal(all[0].tcpInfo, info);
  assert.equal(all[1].tcpInfo, undefined, 'closed before the second dump: no details');
  assert.equal(all[2].tcpInfo, undefined, 'out of the scope (port 81), though the second dump had it');
  assert.equal(all[3].tcpInfo, info, 'the other end (peer port 80)');
});

// The dump loop against a fake netlink socket: multi-part replies, NLMSG_ERROR, ENOENT for one
// family, truncated chunks, an early end, DUMP_INTR — without touching the kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dumpSockets } from '../../src/collect/netlink-dumps.js';
import { NetlinkError, type NetlinkSocket } from '../../src/collect/netlink-socket.js';
import { PortAggregator, summarizePorts } from '../../src/model/aggregate.js';
import { AF_INET, AF_INET6, AF_UNSPEC, INET_DIAG_MSG_LEN, IPPROTO_TCP, NLMSG_DONE, NLMSG_ERROR, NLM_F_DUMP_INTR, NLM_F_MULTI, SOCK_DIAG_BY_FAMILY, TCPDIAG_GETSOCK } from '../../src/parse/inet-diag.js';

function nlmsg(type: number, payload: Buffer, flags = NLM_F_MULTI): Buffer {
  const len = 16 + payload.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt32LE(len, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(flags, 6);
  payload.copy(b, 16);
  return b;
}

/** One socket's reply; `type` TCPDIAG_GETSOCK as the kernel answers the first interface's dump. */
function sock(family: number, sport: number, state = 1, type = SOCK_DIAG_BY_FAMILY): Buffer {
  const b = Buffer.alloc(INET_DIAG_MSG_LEN);
  b.writeUInt8(family, 0);
  b.writeUInt8(state, 1);
  b.writeUInt16BE(sport, 4);
  b.writeUInt16BE(40000, 6);
  if (family === AF_INET) Buffer.from([127, 0, 0, 1]).copy(b, 8);
  else b.writeUInt8(1, 8 + 15);
  b.writeUInt32LE(sport, 68);
  return nlmsg(type, b);
}

const done = () => nlmsg(NLMSG_DONE, Buffer.alloc(4));
function error(errno: number): Buffer {
  const p = Buffer.alloc(20);
  p.writeInt32LE(-errno, 0);
  return nlmsg(NLMSG_ERROR, p, 0);
}

/** family AF_UNSPEC with IPPROTO_TCP: the first interface's TCP dump of both families (TCPDIAG_GETSOCK). */
type Script = (family: number, protocol: number) => Buffer[];

/** A NetlinkSocket stand-in that answers each request with the chunks `script` gives for it. */
function fakeOpener(script: Script, log: string[] = []) {
  return async () => {
    let queue: Buffer[] = [];
    const fake = {
      send(req: Buffer) {
        const compat = req.readUInt16LE(4) === TCPDIAG_GETSOCK;
        const family = compat ? AF_UNSPEC : req[16];
        const protocol = compat ? IPPROTO_TCP : req[17];
        log.push(`send ${family}/${protocol}`);
        queue = script(family, protocol).slice();
      },
      // Up to two queued chunks per batch, as recvmmsg returns what the kernel has queued.
      async recvBatch() {
        const c = queue.shift();
        if (!c) throw new NetlinkError('recv', 11); // EAGAIN: the receive timeout
        const out = [Buffer.from(c)];
        if (queue.length > 0 && c.length > 0) out.push(Buffer.from(queue.shift()!));
        return out;
      },
      close() {
        log.push('close');
      },
    };
    return fake as unknown as NetlinkSocket;
  };
}

test('multi-part dumps: every chunk parsed, all families in turn on one socket (parallel: false, per-family TCP)', async () => {
  const log: string[] = [];
  const r = await dumpSockets(
    { protocols: ['tcp', 'udp'], parallel: false, tcpBothFamilies: false },
    fakeOpener((family, protocol) => {
      if (family === AF_INET && protocol === IPPROTO_TCP) return [Buffer.concat([sock(AF_INET, 1), sock(AF_INET, 2)]), sock(AF_INET, 3), Buffer.concat([sock(AF_INET, 4), done()])];
      if (family === AF_INET6 && protocol === IPPROTO_TCP) return [Buffer.concat([sock(AF_INET6, 5, 10), done()])];
      return [done()];
    }, log),
  );
  assert.deepEqual(r.sockets.map((s) => s.local.port), [1, 2, 3, 4, 5]);
  assert.equal(r.sockets[4].local.address, '::1');
  assert.equal(r.sockets[4].state, 'LISTEN');
  assert.deepEqual(r.stats.map((s) => s.chunks), [3, 1, 1, 1]);
  assert.deepEqual(log, ['send 2/6', 'send 10/6', 'send 2/17', 'send 10/17', 'close']);
  assert.deepEqual(r.notes, []);
});

test('NLMSG_ERROR fails the dump with the errno; the socket is closed', async () => {
  const log: string[] = [];
  await assert.rejects(
    dumpSockets({ protocols: ['tcp'] }, fakeOpener(() => [error(1)], log)),
    (e: Error) => e instanceof NetlinkError && e.errno === 1 && /EPERM/.test(e.message),
  );
  assert.equal(log[log.length - 1], 'close');
});

test('ENOENT for IPv6 or UDP only: a note, and the other families still shown', async () => {
  const r = await dumpSockets(
    { protocols: ['tcp', 'udp'], tcpBothFamilies: false },
    fakeOpener((family, protocol) => (family === AF_INET && protocol === IPPROTO_TCP ? [Buffer.concat([sock(AF_INET, 7), done()])] : [error(2)])),
  );
  assert.deepEqual(r.sockets.map((s) => s.local.port), [7]);
  assert.equal(r.notes.length, 3);
  assert.match(r.notes[0], /tcp6 .*ENOENT/);
  // ENOENT for TCP over IPv4 is not expected on any Linux: that one fails.
  await assert.rejects(dumpSockets({ protocols: ['tcp'] }, fakeOpener(() => [error(2)])), /ENOENT/);
});

test('a truncated chunk, an early end and a dump that never finishes all fail loudly', async () => {
  const whole = Buffer.concat([sock(AF_INET, 1), sock(AF_INET, 2)]);
  await assert.rejects(dumpSockets({ protocols: ['tcp'] }, fakeOpener(() => [whole.subarray(0, whole.length - 10), done()])), /truncated/);
  await assert.rejects(dumpSockets({ protocols: ['tcp'] }, fakeOpener(() => [Buffer.alloc(0)])), /0 bytes before NLMSG_DONE/);
  await assert.rejects(dumpSockets({ protocols: ['tcp'] }, fakeOpener(() => [sock(AF_INET, 1)])), /EAGAIN/);
});

test('NLM_F_DUMP_INTR is reported as interrupted', async () => {
  const intr = sock(AF_INET, 9);
  intr.writeUInt16LE(NLM_F_MULTI | NLM_F_DUMP_INTR, 6);
  const r = await dumpSockets({ protocols: ['tcp'] }, fakeOpener((family) => (family !== AF_INET6 ? [Buffer.concat([intr, done()])] : [done()])));
  assert.equal(r.interrupted, true);
  assert.equal(r.sockets.length, 1);
});

test('two lanes (the default): TCP of both families on one socket, the other dumps in turn on a second; results in dump order', async () => {
  const log: string[] = [];
  const aggregator = new PortAggregator();
  const r = await dumpSockets(
    { protocols: ['tcp', 'udp'], aggregator },
    fakeOpener((family, protocol) => {
      // The first interface's dump answers both families in hash order, with its own message type.
      if (family === AF_UNSPEC && protocol === IPPROTO_TCP)
        return [Buffer.concat([sock(AF_INET, 1, 1, TCPDIAG_GETSOCK), sock(AF_INET6, 5, 10, TCPDIAG_GETSOCK)]), Buffer.concat([sock(AF_INET, 3, 1, TCPDIAG_GETSOCK), done()])];
      if (protocol === IPPROTO_TCP) throw new Error('per-family TCP dump sent although the kernel serves both families at once');
      return family === AF_INET ? [Buffer.concat([sock(AF_INET, 53, 7), done()])] : [done()];
    }, log),
  );
  assert.deepEqual(r.sockets.map((s) => s.local.port), [1, 5, 3, 53]);
  assert.deepEqual(r.sockets.map((s) => s.ipVersion), [4, 6, 4, 4]);
  assert.equal(r.sockets[1].local.address, '::1');
  assert.equal(r.sockets[3].protocol, 'udp');
  assert.equal(log.filter((l) => l === 'close').length, 2);
  // Lane A sends the TCP dump once; lane B sends its dumps in order.
  assert.deepEqual(log.filter((l) => l.startsWith('send') && l !== 'send 0/6'), ['send 2/17', 'send 10/17']);
  assert.equal(log.filter((l) => l === 'send 0/6').length, 1);
  assert.deepEqual(r.stats.map((s) => s.what), ['sock_diag tcp', 'sock_diag udp4', 'sock_diag udp6']);
  assert.deepEqual(r.notes, []);
  // The aggregator saw every TCP/UDP socket, in dump order.
  assert.deepEqual(aggregator.finish(r.sockets), summarizePorts([...r.sockets]));
});

test('a kernel that refuses the TCP dump of both families gets one dump per family, with a note', async () => {
  for (const errno of [22, 95]) {
    const log: string[] = [];
      const aggregator = new PortAggregator();
    const r = await dumpSockets(
      { protocols: ['tcp', 'udp'], aggregator },
      fakeOpener((family, protocol) => {
        if (family === AF_UNSPEC) return [error(errno)];
        if (family === AF_INET && protocol === IPPROTO_TCP) return [Buffer.concat([sock(AF_INET, 1), sock(AF_INET, 2)]), Buffer.concat([sock(AF_INET, 3), done()])];
        if (family === AF_INET6 && protocol === IPPROTO_TCP) return [Buffer.concat([sock(AF_INET6, 5, 10), done()])];
        return [done()];
      }, log),
    );
    assert.deepEqual(r.sockets.map((s) => s.local.port), [1, 2, 3, 5]);
    assert.equal(r.notes.length, 1);
    assert.match(r.notes[0], new RegExp(`refused the TCP dump of both families \\(errno ${errno}\\)`));
    assert.deepEqual(r.stats.map((s) => s.what), ['sock_diag tcp4+tcp6', 'sock_diag udp4', 'sock_diag udp6']);
    assert.equal(r.stats[0].chunks, 3);
    assert.deepEqual(log.filter((l) => l.startsWith('send 0/') || l.endsWith('/6')), ['send 0/6', 'send 2/6', 'send 10/6']);
    assert.deepEqual(aggregator.finish(r.sockets), summarizePorts([...r.sockets]));
  }
  // Any other error of the TCP dump still fails the collection (auto mode then falls back to ss).
  await assert.rejects(dumpSockets({ protocols: ['tcp'] }, fakeOpener(() => [error(13)])), (e: Error) => e instanceof NetlinkError && e.errno === 13);
});

test('a real netlink socket with nothing to receive: the receive times out and says so (koffi gives the callback the errno of the worker thread)', async () => {
  const { NetlinkSocket } = await import('../../src/collect/netlink-socket.js');
  const s = await NetlinkSocket.open(300);
  try {
    const t0 = performance.now();
    await assert.rejects(s.recvBatch(0), (e: unknown) => {
      assert.ok(e instanceof NetlinkError, String(e));
      assert.equal(e.message, 'recv: no reply within the timeout: EAGAIN');
      return true;
    });
    assert.ok(performance.now() - t0 >= 250, 'it waited for the timeout');
  } finally {
    s.close();
  }
});

// The dump loop against a fake netlink socket: multi-part replies, NLMSG_ERROR, ENOENT for one
// family, truncated chunks, an early end, DUMP_INTR — without touching the kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dumpSockets } from '../../src/collect/netlink.js';
import { NetlinkError, type NetlinkSocket } from '../../src/collect/netlink-socket.js';
import { AF_INET, AF_INET6, INET_DIAG_MSG_LEN, IPPROTO_TCP, NLMSG_DONE, NLMSG_ERROR, NLM_F_DUMP_INTR, NLM_F_MULTI, SOCK_DIAG_BY_FAMILY } from '../../src/parse/inet-diag.js';

function nlmsg(type: number, payload: Buffer, flags = NLM_F_MULTI): Buffer {
  const len = 16 + payload.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt32LE(len, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(flags, 6);
  payload.copy(b, 16);
  return b;
}

function sock(family: number, sport: number, state = 1): Buffer {
  const b = Buffer.alloc(INET_DIAG_MSG_LEN);
  b.writeUInt8(family, 0);
  b.writeUInt8(state, 1);
  b.writeUInt16BE(sport, 4);
  b.writeUInt16BE(40000, 6);
  if (family === AF_INET) Buffer.from([127, 0, 0, 1]).copy(b, 8);
  else b.writeUInt8(1, 8 + 15);
  b.writeUInt32LE(sport, 68);
  return nlmsg(SOCK_DIAG_BY_FAMILY, b);
}

const done = () => nlmsg(NLMSG_DONE, Buffer.alloc(4));
function error(errno: number): Buffer {
  const p = Buffer.alloc(20);
  p.writeInt32LE(-errno, 0);
  return nlmsg(NLMSG_ERROR, p, 0);
}

type Script = (family: number, protocol: number) => Buffer[];

/** A NetlinkSocket stand-in that answers each request with the chunks `script` gives for it. */
function fakeOpener(script: Script, log: string[] = []) {
  return async () => {
    let queue: Buffer[] = [];
    const fake = {
      send(req: Buffer) {
        const family = req[16];
        const protocol = req[17];
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

test('multi-part dumps: every chunk parsed, all families in turn on one socket (parallel: false)', async () => {
  const log: string[] = [];
  const r = await dumpSockets(
    { protocols: ['tcp', 'udp'], parallel: false },
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
    { protocols: ['tcp', 'udp'] },
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
  const r = await dumpSockets({ protocols: ['tcp'] }, fakeOpener((family) => (family === AF_INET ? [Buffer.concat([intr, done()])] : [done()])));
  assert.equal(r.interrupted, true);
  assert.equal(r.sockets.length, 1);
});

test('two lanes (the default): TCP over IPv4 on one socket, the other dumps in turn on a second; results in dump order', async () => {
  const log: string[] = [];
  const { PortAggregator, summarizePorts } = await import('../../src/model/aggregate.js');
  const aggregator = new PortAggregator();
  const r = await dumpSockets(
    { protocols: ['tcp', 'udp'], aggregator },
    fakeOpener((family, protocol) => {
      if (family === AF_INET && protocol === IPPROTO_TCP) return [Buffer.concat([sock(AF_INET, 1), sock(AF_INET, 2)]), Buffer.concat([sock(AF_INET, 3), done()])];
      if (family === AF_INET6 && protocol === IPPROTO_TCP) return [Buffer.concat([sock(AF_INET6, 5, 10), done()])];
      return [done()];
    }, log),
  );
  assert.deepEqual(r.sockets.map((s) => s.local.port), [1, 2, 3, 5]);
  assert.equal(log.filter((l) => l === 'close').length, 2);
  // Lane B sends its dumps in order; lane A sends TCP over IPv4 once.
  assert.deepEqual(log.filter((l) => l.startsWith('send') && l !== 'send 2/6'), ['send 10/6', 'send 2/17', 'send 10/17']);
  assert.equal(log.filter((l) => l === 'send 2/6').length, 1);
  // The aggregator saw every TCP/UDP socket, in dump order.
  assert.deepEqual(aggregator.finish(r.sockets), summarizePorts([...r.sockets]));
});

// HIGH_WATER in the Python servers ("stop reading from a peer while this much output is queued") was
// used by the selectors server only: asyncio kept its transport's default of 64 KiB, and threads carried a
// setting it never reads. The asyncio server now sets transport.set_write_buffer_limits(high=HIGH_WATER),
// and its drain() stops it reading while more than that is queued; the threads server has no HIGH_WATER.
// Measured with a real client that sends and never reads: how many bytes the server takes before it stops
// reading is at least HIGH_WATER and at most HIGH_WATER, one read and the (small) socket buffers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateServer } from '../../src/codegen/index.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import * as h from './harness.js';

// Sends until nothing more goes for 1.5 s (the server stopped reading), never reading; prints the bytes sent.
const CLIENT = `
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.setblocking(False)
total, last, chunk = 0, time.monotonic(), b"x" * 65536
while time.monotonic() - last < 1.5:
    try:
        total += s.send(chunk)
        last = time.monotonic()
    except BlockingIOError:
        time.sleep(0.005)
print(total)
`;

const BUFFER_SIZE = 131072;
const HIGH_WATER = 4 * BUFFER_SIZE;

test('python asyncio tcp echo: a peer that does not read gets HIGH_WATER (plus a read and the socket buffers) queued, then no more is read', { timeout: 60_000 }, async () => {
  const r = generateServer(
    { language: 'python', ioModel: 'asyncio', type: 'tcp', port: 0, bindAddress: h.LOOPBACK4, bufferSize: BUFFER_SIZE, sndbuf: 4096, rcvbuf: 4096 },
    { config: DEFAULT_CONFIG },
  );
  assert.match(r.files[0].content, new RegExp(`^HIGH_WATER = ${HIGH_WATER}\\b`, 'm'));
  const { dir } = h.materialize(r);
  try {
    const srv = await h.startServer(r, dir);
    try {
      const run = spawnSync('python3', ['-c', CLIENT, String(srv.port)], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(run.status, 0, run.stderr);
      const taken = Number(run.stdout.trim());
      assert.ok(taken >= HIGH_WATER, `the server stopped reading after ${taken} bytes, below HIGH_WATER ${HIGH_WATER} (the transport's default limit?)`);
      assert.ok(taken <= HIGH_WATER + BUFFER_SIZE + 256 * 1024, `the server took ${taken} bytes: it did not stop reading near HIGH_WATER ${HIGH_WATER}`);
      assert.equal(srv.proc.exitCode, null, srv.stderr());
    } finally {
      await srv.kill();
    }
  } finally {
    h.cleanup(dir);
  }
});

test('python asyncio tcp http sets the limit too; the threads server carries no HIGH_WATER', () => {
  const gen = (ioModel: string, handler: 'echo' | 'http') =>
    generateServer({ language: 'python', ioModel, type: 'tcp', handler, port: 0 }, { config: DEFAULT_CONFIG }).files[0].content;
  assert.match(gen('asyncio', 'http'), /writer\.transport\.set_write_buffer_limits\(high=HIGH_WATER\)/);
  for (const handler of ['echo', 'http'] as const) assert.doesNotMatch(gen('threads', handler), /HIGH_WATER/, `threads ${handler}`);
  assert.match(gen('selectors', 'echo'), /len\(conn\.out\) < HIGH_WATER/);
});

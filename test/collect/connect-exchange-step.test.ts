// exchange() says which step of --send/--expect failed (failedStep), from the write's own callback: a request
// written to a connection the server has already reset is 'write' (the report says nothing was sent), a reset
// after the request went out is 'read'. It was guessed from Node's message text ("write ECONNRESET").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { exchange, tcpConnect } from '../../src/collect/connect-probe.js';

// A loopback server in its own process (this one blocks its event loop below) that resets each connection with
// SO_LINGER {1, 0}: 100 ms after accepting it ('accept'), or once the request has arrived ('data').
const PY = `
import socket, struct, sys, time
when = sys.argv[1]
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    if when == 'accept': time.sleep(0.1)
    else: c.recv(100)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0)); c.close()
`;

async function resetter(when: 'accept' | 'data', t: { after: (f: () => void) => void }): Promise<number> {
  const py = spawn('python3', ['-c', PY, when], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => py.kill());
  const [line] = (await once(py.stdout, 'data')) as [Buffer];
  return Number(line.toString().trim());
}

test('exchange: a write to a reset connection is failedStep write; a reset after the request is failedStep read', { timeout: 20_000 }, async (t) => {
  const early = await resetter('accept', t);
  const c = await tcpConnect('127.0.0.1', early, 2000);
  assert.ok(c.ok && c.socket);
  c.socket.on('error', () => {});
  // The event loop held (no poll, so Node has not read the reset) while the reset arrives: the write meets it.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
  const x = await exchange(c.socket, 'GET\\n', 'OK', 2000);
  c.socket.destroy();
  assert.match(x.error ?? '', /^(ECONNRESET|EPIPE)\b/);
  assert.equal(x.failedStep, 'write');

  const late = await resetter('data', t);
  const d = await tcpConnect('127.0.0.1', late, 2000);
  assert.ok(d.ok && d.socket);
  d.socket.on('error', () => {});
  const y = await exchange(d.socket, 'GET\\n', 'OK', 2000);
  d.socket.destroy();
  assert.match(y.error ?? '', /^ECONNRESET\b/);
  assert.equal(y.failedStep, 'read');
  assert.equal(y.sent, 'GET\n');
});

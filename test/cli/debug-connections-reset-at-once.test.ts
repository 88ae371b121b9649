// A server that accepts every connection and resets it at once (SO_LINGER {1, 0}, then close()): the reset races the
// end of connect() on loopback. When the connect event came first, the probe used to call the server healthy
// (verdict.ok true in about 3 runs of 10); it now watches the connection for a reset a little (RESET_WATCH_MIN_MS)
// before saying it accepts connections. A real python3 server, ten runs, each must say "accepted, then reset".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sockscopeAsync } from '../collect/getsockopt-helpers.js';
import { startPythonHolder } from '../helpers/python-holder.js';

test('a server that accepts and resets every connection is "accepted, then reset" in every run, never healthy', { timeout: 120_000 }, async (t) => {
  // Killed when the test ends (startPythonHolder); port 0: the kernel picks a free one.
  const { port } = await startPythonHolder<{ port: number }>(t, `import socket, struct, json
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(json.dumps({"port": s.getsockname()[1]}), flush=True)
while True:
    c, a = s.accept(); c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close()`);
  for (let i = 0; i < 10; i++) {
    const r = await sockscopeAsync(['debug-connections', '--address', `127.0.0.1:${port}`, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const a = j.addresses[0];
    assert.equal(j.verdict.ok, false, `run ${i + 1}: ${j.verdict.summary}`);
    assert.equal(a.connect.ok, false, `run ${i + 1}`);
    assert.equal(a.connect.errno, 'ECONNRESET', `run ${i + 1}`);
    assert.equal(a.diagnosis.category, 'reset', `run ${i + 1}`);
    assert.match(j.verdict.summary, /accepts connections, then resets them/, `run ${i + 1}`);
  }
  // The text report says it too.
  const text = await sockscopeAsync(['debug-connections', '--address', `127.0.0.1:${port}`]);
  assert.match(text.stdout, new RegExp(`^Verdict: 127\\.0\\.0\\.1:${port} accepts connections, then resets them`, 'm'), text.stdout);
});

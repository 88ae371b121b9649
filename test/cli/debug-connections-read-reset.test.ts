// A reset while reading the reply: --json had it (exchange.error 'ECONNRESET: ...', failedStep 'read'), but the
// address's text block showed only `sent: "x"` and `reply: (nothing)`, so with several addresses the one that reset
// was silent. The reply line now says the read failed. A real python3 server that accepts, waits 0.2 s and close()s
// without reading the request (the kernel then resets the connection).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sockscopeAsync } from '../collect/getsockopt-helpers.js';
import { startPythonHolder } from '../helpers/python-holder.js';

test('a reset while reading the reply is said on the address\'s reply line, as in --json', { timeout: 60_000 }, async (t) => {
  // Killed when the test ends (startPythonHolder); port 0: the kernel picks a free one.
  const { port } = await startPythonHolder<{ port: number }>(t, `import socket, time, json
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(json.dumps({"port": s.getsockname()[1]}), flush=True)
while True:
    c, a = s.accept(); time.sleep(0.2); c.close()`);
  const j = JSON.parse((await sockscopeAsync(['debug-connections', '--address', `127.0.0.1:${port}`, '--send', 'x', '--json'])).stdout);
  assert.equal(j.addresses[0].exchange.failedStep, 'read');
  assert.match(j.addresses[0].exchange.error, /^ECONNRESET\b/);
  const r = await sockscopeAsync(['debug-connections', '--address', `127.0.0.1:${port}`, '--send', 'x']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ {2}sent: {5}"x"$/m, r.stdout);
  assert.match(r.stdout, /^ {2}reply: {4}\(nothing\); the read failed with ECONNRESET\b/m, r.stdout);
});

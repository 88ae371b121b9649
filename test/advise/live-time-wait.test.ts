// A stopped server's TIME_WAIT port, made with real loopback sockets and read through the real collector as
// `analyze --port P` does: the server did not set SO_REUSEADDR, so a new server with it still gets
// EADDRINUSE (each TIME_WAIT entry keeps the old socket's sk_reuse; Linux wants it on both), and
// time-wait-ok's restart note must not promise that SO_REUSEADDR on the new server is enough.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSource } from '../../src/collect/index.js';
import { recommendationsFor } from '../../src/report/analyze.js';

// Leaves TIME_WAIT on the server's port (the server side closes first), closes the listener, then tries a
// bind with SO_REUSEADDR on the same address and port.
const CHILD = String.raw`
import socket, time, json
srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(4); port = srv.getsockname()[1]
c = socket.create_connection(('127.0.0.1', port)); a, _ = srv.accept()
a.close(); time.sleep(0.05); c.close(); time.sleep(0.1); srv.close()
n = socket.socket(); n.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try: n.bind(('127.0.0.1', port)); r = 'ok'
except OSError as e: r = e.errno
n.close()
print(json.dumps({'port': port, 'reuseaddrBind': r}), flush=True)
`;

test('time-wait-ok: TIME_WAIT left by a server without SO_REUSEADDR blocks a new bind with it; the note says both need it', async () => {
  const r = spawnSync('python3', ['-c', CHILD], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0, r.stderr);
  const { port, reuseaddrBind } = JSON.parse(r.stdout) as { port: number; reuseaddrBind: number | 'ok' };
  assert.equal(reuseaddrBind, 98, 'bind() with SO_REUSEADDR fails with EADDRINUSE when the old server did not set it');

  const snap = await createSource('auto').collect({ port, protocols: ['tcp', 'udp'], processes: 'all', details: true });
  assert.ok(snap.sockets.some((s) => s.state === 'TIME_WAIT' && s.local.port === port), 'the TIME_WAIT entry is collected');
  const ok = recommendationsFor(snap, { port }).find((x) => x.id === 'time-wait-ok');
  assert.ok(ok);
  assert.match(ok.evidence, new RegExp(`no TCP listener on port ${port}, 1 TIME_WAIT with local address 127\\.0\\.0\\.1:${port}: a server started on it gets EADDRINUSE from bind\\(\\) until they expire \\(60 s\\) unless both the server that left them and the new one set SO_REUSEADDR$`));
  assert.doesNotMatch(`${ok.evidence} ${ok.fix}`, /needs SO_REUSEADDR, or|restarted on it within 60 s needs/);
  assert.match(ok.fix!, /so the next restart gets through .*it does not get past entries left by a server that did not set it\. Check: sockscope try bind 127\.0\.0\.1:\d+ \(tells whether SO_REUSEADDR gets through now\)$/);
});

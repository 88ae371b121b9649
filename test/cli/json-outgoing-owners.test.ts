// `sockscope --json` (the monitor's one-shot document): outgoing[].processes named the owners of the
// connections, as the monitor's outgoing table does. It collected with processes 'listeners', so every
// group read `processes: []` with `ownerHidden: false`, "no process holds it" (review-api #1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { connect, createServer, type Socket as NetSocket } from 'node:net';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test('--json: outgoing connections name their process (this one)', { timeout: 60_000 }, async (t) => {
  const srv = createServer(() => {});
  await new Promise<void>((r) => srv.listen({ port: 0, host: '127.0.0.1' }, () => r()));
  const port = (srv.address() as { port: number }).port;
  const clients: NetSocket[] = [];
  for (let i = 0; i < 3; i++) {
    const c = connect(port, '127.0.0.1');
    await new Promise<void>((r) => c.once('connect', () => r()));
    clients.push(c);
  }
  t.after(() => {
    for (const c of clients) c.destroy();
    srv.close();
  });
  const r = spawnSync(BIN, ['--json', '--tcp'], { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { outgoing: { peerPort: number; total: number; processes: { pid: number }[]; ownerHidden: boolean }[] };
  const group = doc.outgoing.find((o) => o.peerPort === port);
  assert.ok(group, `an outgoing group for peer port ${port}`);
  assert.equal(group!.total, 3);
  assert.deepEqual(
    group!.processes.map((p) => p.pid),
    [process.pid],
  );
  assert.equal(group!.ownerHidden, false);
});

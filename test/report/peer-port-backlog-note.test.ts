// analyze --peer-port P collects the host's listeners (to tell an accepted connection from one this host made) and
// local port P (the other ends of loopback connections). With procfs and netstat, which cannot see listen
// backlogs, that made every --peer-port report say "cannot see listen backlogs ... for backlog advice", though a
// peer-port report has no Listeners table and no backlog advice (diff review s18). Real loopback sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test('analyze --peer-port P with procfs and netstat: no note about listen backlogs; analyze --port P keeps it', { timeout: 60_000 }, async (t) => {
  const accepted: Socket[] = [];
  const srv = createServer((s) => accepted.push(s));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  const c = connect(port, '127.0.0.1');
  await new Promise<void>((r) => c.once('connect', () => r()));
  t.after(() => {
    c.destroy();
    for (const s of accepted) s.destroy();
    srv.close();
  });
  for (const source of ['procfs', 'netstat']) {
    for (const cmd of ['analyze', 'analyze-states']) {
      const r = spawnSync(BIN, [cmd, '--peer-port', String(port), '--source', source, '--json'], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 0, r.stderr);
      const notes = (JSON.parse(r.stdout) as { notes: string[] }).notes;
      assert.ok(!notes.some((n) => /cannot see listen backlogs/.test(n)), `${cmd} --peer-port --source ${source}: ${notes.join(' | ')}`);
    }
    const own = spawnSync(BIN, ['analyze', '--port', String(port), '--source', source, '--json'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(own.status, 0, own.stderr);
    assert.ok((JSON.parse(own.stdout) as { notes: string[] }).notes.some((n) => /cannot see listen backlogs/.test(n)), `analyze --port --source ${source}: the listener's backlog is unknown`);
  }
});

// analyze's Listeners table with a source that cannot see listen backlogs (procfs, netstat): the backlog
// cell is `?` (unknown), as README's source table says, not `-` (none). Before, it printed `-`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test('analyze --port P --source procfs: the TCP listener backlog cell says ? (unknown), not -', async (t) => {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', 7, r));
  t.after(() => srv.close());
  const port = (srv.address() as AddressInfo).port;
  for (const source of ['procfs', 'netlink']) {
    const r = spawnSync(BIN, ['analyze', '--port', String(port), '--source', source], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const row = r.stdout.split('\n').find((l) => /^│ tcp +│ 127\.0\.0\.1 /.test(l));
    assert.ok(row, r.stdout);
    const cells = row.split('│').map((c) => c.trim()).filter((c) => c !== '');
    // protocol, address, port, backlog, accept queue, ...
    assert.equal(cells[2], String(port), row);
    assert.equal(cells[3], source === 'procfs' ? '?' : '7', `${source}: ${row}`);
  }
});

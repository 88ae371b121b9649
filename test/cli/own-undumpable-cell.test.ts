// A socket of the user's own process that is not dumpable (its /proc/PID/fd is root's): the tables show
// `?` (owner not known), never `-` ("no process holds it"). README's "Socket sources" said `-`, which
// contradicted its own hidden-owner section and the tool; the test pins both the tool and that sentence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { requireSetpriv, startSocketHolder } from '../helpers/socket-holder.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const README = new URL('../../README.md', import.meta.url);
// A uid of its own (an undumpable process of 65534 would change other tests' wording).
const UID = 61236;

test('own undumpable process: its listener row shows ? with every source, and README says ?, never -', { timeout: 90_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'needs root, to start processes as another uid');
  requireSetpriv();
  const h = await startSocketHolder({ uid: UID, undumpable: true });
  t.after(() => h.stop());
  for (const source of ['netlink', 'ss', 'procfs']) {
    const r = spawnSync('setpriv', [`--reuid=${UID}`, `--regid=${UID}`, '--clear-groups', '--', 'env', 'HOME=/tmp', BIN, '--source', source, '--tcp', '--port', String(h.port)], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const row = r.stdout.split('\n').find((l) => new RegExp(`\\b${h.port} +tcp `).test(l));
    assert.ok(row, `${source}: ${r.stdout}`);
    assert.match(row, new RegExp(`\\b${h.port} +tcp +\\? `), `${source}: ${row}`);
  }
  const readme = readFileSync(README, 'utf8').replace(/\s+/g, ' ');
  assert.doesNotMatch(readme, /Its sockets show `-` in the tables, as an unattributed socket of your own does/);
  assert.match(readme, /process of yours \(uid N\) that is not dumpable"\. Its sockets show `\?` in the tables/);
});

// The plain table (stdout not a TTY) cut a unix path longer than its 132 columns with '…' in the middle: grep
// for the middle of the path found nothing, and a cut could hide an escaped \n. The table now widens to the
// longest cell. Real unix listeners in a namespace of the test's own, the built binary with stdout a pipe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { netnsWithHolder } from '../helpers/netns.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test('plain table: a long unix path and one with a newline are printed whole', async (t) => {
  const dir = mkdtempSync('/tmp/sockscope-plainlong-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // sun_path holds 107 bytes: a path of 100, wider than the 60-odd columns PROCESS had.
  const long = `${dir}/${'a'.repeat(30)}-middle-${'b'.repeat(100 - dir.length - 44)}.sock`;
  const nl = `${dir}/${'c'.repeat(60)}\nx.sock`;
  const ns = `sockscope-plainlong-${process.pid}`;
  await netnsWithHolder(
    t,
    ns,
    `keep=[]
for p in (${JSON.stringify(long)}, ${JSON.stringify(nl)}):
    l=socket.socket(socket.AF_UNIX); l.bind(p); l.listen(3); keep.append(l)`,
  );
  const r = spawnSync('ip', ['netns', 'exec', ns, BIN, '--unix', '--source', 'netlink'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.split('\n');
  const longRow = rows.find((l) => l.includes(long));
  assert.ok(longRow, `the ${long.length}-character path whole:\n${r.stdout}`);
  assert.match(longRow, /python3\/\d+ +0\/3 /, longRow);
  assert.ok(rows.some((l) => l.includes(`${'c'.repeat(60)}\\nx.sock`)), `the path with a newline whole, escaped:\n${r.stdout}`);
  // Short rows keep the table's columns: the header's QUEUE column lines up with the long row's queue.
  const header = rows.find((l) => l.includes('PORT PROTO PROCESS'))!;
  assert.equal(header.indexOf('QUEUE') + 'QUEUE'.length, longRow.indexOf('0/3') + 3, `${header}\n${longRow}`);
});

// net-tools netstat reads /proc/net/unix with sscanf %s: a unix socket's name is cut at its first
// whitespace, a space, a tab or a newline. The note said "at the first space" only; it now names all three
// (README: names keep spaces, tabs and newlines with the other sources). Real sockets, real netstat. A name with a
// newline makes the source read unix sockets from the kernel (test/collect/unix-newline-forged-rows-netns), so none here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPythonHolder } from '../helpers/python-holder.js';
import { HOST_WIDE_OUTPUT } from '../helpers/run-cli.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const netTools = /net-tools/.test(spawnSync('netstat', ['--version'], { encoding: 'utf8', maxBuffer: HOST_WIDE_OUTPUT }).stdout ?? '');

test('--source netstat: names with a tab or a space are cut there, and the note says so (any whitespace)', { skip: !netTools && 'net-tools netstat is not installed' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-ws-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tag = `ws${process.pid}`;
  await startPythonHolder(
    t,
    `import socket,sys,json
a=socket.socket(socket.AF_UNIX);a.bind(${JSON.stringify(`${dir}/only space`)});a.listen(1)
b=socket.socket(socket.AF_UNIX);b.bind(b'\\0${tag}tab\\there');b.listen(1)
print(json.dumps({}),flush=True)
sys.stdin.read()`,
  );
  const r = spawnSync(BIN, ['--source', 'netstat', '--unix', '--json'], { encoding: 'utf8', maxBuffer: HOST_WIDE_OUTPUT });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { unix: { path: string }[]; notes: string[] };
  const paths = j.unix.map((u) => u.path);
  assert.ok(paths.includes(`${dir}/only`), 'netstat cut the name at its space');
  assert.ok(paths.includes(`@${tag}tab`), 'netstat cut the name at its tab');
  const note = j.notes.find((n) => n.includes('cuts unix socket paths'));
  assert.ok(note, j.notes.join('\n'));
  assert.match(note, /tab/);
  assert.match(note, /newline/);
});

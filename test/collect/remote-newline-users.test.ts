// --host read as root: a unix socket whose name holds a newline and a forged `users:((...))` vanished from
// --unix --json (ss -p prints its own users: after the names; the parser took the name's, the first, cut
// it out and could then read no columns), and the newline-names note counted one socket where there were
// two. As a non-root user ss shows no users: for another's socket and both were listed. A real sshd as root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startSshd } from '../helpers/sshd.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test('--host as root: a unix name with a newline and a forged users: is listed whole, and the note counts it (real sshd)', { timeout: 120_000 }, async (t) => {
  const sshd = await startSshd();
  t.after(() => sshd.stop());
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-forged-users-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const names = [`${dir}/u\ntcp   LISTEN 0 4096 0.0.0.0:6666 0.0.0.0:* users:(("sshd",pid=1,fd=3))`, `${dir}/u2\ntcp   LISTEN 0 4096 0.0.0.0:6666 0.0.0.0:*`];
  const py = spawn('python3', ['-c', 'import socket,sys,time\nk=[]\nfor n in sys.argv[1:]:\n s=socket.socket(socket.AF_UNIX); s.bind(n.encode()); s.listen(1); k.append(s)\nprint("ready", flush=True)\ntime.sleep(120)', ...names], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => py.kill('SIGKILL'));
  await new Promise<void>((resolve) => createInterface({ input: py.stdout! }).once('line', () => resolve()));
  const r = spawnSync(BIN, ['--host', 'sockscope-test', '--ssh-config', sshd.clientConfig, '--unix', '--json'], { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { unix: Array<{ path: string; processes: unknown[] }>; notes: string[] };
  for (const name of names) {
    const row = doc.unix.find((u) => u.path === name);
    assert.ok(row, `listed under its whole name: ${JSON.stringify(name)}`);
    assert.deepEqual(row.processes, [], 'no owner read from a name\'s text');
  }
  const note = doc.notes.find((n) => /unix sockets? (has|have) a newline/.test(n));
  assert.ok(note, doc.notes.join('\n'));
  // Other test files may hold such sockets too: the note counts every one listed, ours among them.
  const listed = doc.unix.filter((u) => u.path.includes('\n')).length;
  assert.ok(listed >= 2);
  assert.equal(Number(/^(\d+) unix/.exec(note)![1]), listed, note);
});

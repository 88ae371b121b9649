// In a current directory removed since sockscope entered it (review s21 api #3) every command exited 1 with "the
// current directory no longer exists", contradicting README (sockscope config: the directory is named as it
// was and its files are not found); a task printed no failure document; and the library's generate task with a
// relative output failed with the bare "ENOENT: no such file or directory, uv_cwd". Now the commands that need
// no file there work, and those that would write a relative path refuse it naming the file (exit 2; in a task
// the invalid-input document). Each run starts in a directory the shell enters and removes before exec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const DIST = new URL('../../dist/index.js', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'sockscope-gone-'));
let n = 0;

/** Runs argv in a fresh directory that is removed before it starts; `input` on stdin. */
function inRemoved(argv: string[], input = ''): { status: number | null; stdout: string; stderr: string; dir: string } {
  const dir = join(root, `d${n++}`);
  mkdirSync(dir);
  const r = spawnSync('sh', ['-c', 'cd "$1" && rmdir "$1" && shift && exec "$@"', 'sh', dir, ...argv], { input, encoding: 'utf8', env: { ...process.env, HOME: '/nonexistent' }, timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, dir };
}

const removedWrite = (file: string, dir: string) => `cannot write ${file}: the current directory (${dir}) was removed, and a relative path names a file in it; give an absolute path, or cd to an existing directory and run it again`;

test('commands that need no file in a removed current directory work there', () => {
  const c = inRemoved([BIN, 'config', '--json']);
  assert.equal(c.status, 0, c.stderr);
  const files = (JSON.parse(c.stdout) as { files: { path: string; found: boolean }[] }).files;
  assert.deepEqual(files.slice(1).map((f) => [f.path, f.found]), [[join(c.dir, '.babysitter/skills/socket-programming.yaml'), false], [join(c.dir, 'sockscope.yaml'), false]]);
  const e = inRemoved([BIN, 'errno', '104']);
  assert.equal(e.status, 0, e.stderr);
  assert.match(e.stdout, /ECONNRESET/);
  const t = inRemoved([BIN, 'task', '-'], '{"operation":"errno","code":104}');
  assert.equal(t.status, 0, t.stderr);
  assert.equal(JSON.parse(t.stdout).ok, true);
  // A relative task file names nothing there: the unreadable-input document.
  const f = inRemoved([BIN, 'task', 'job.json']);
  assert.equal(f.status, 2);
  assert.equal(JSON.parse(f.stdout).error.code, 'unreadable-input');
  // Printing a server writes nothing: it works.
  const p = inRemoved([BIN, 'generate-server', '--stdout']);
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, /^\/\*/);
});

test('tools run as child processes work in a removed current directory (ip route get, netstat): not "not installed"', () => {
  // execa ran them in the current directory: the child's chdir failed with ENOENT, read as "command not found" (diff review s21 api #1).
  const d = inRemoved([BIN, 'debug-connections', '--address', '127.0.0.1:9', '--timeout', '1s', '--json']);
  assert.doesNotMatch(d.stdout + d.stderr, /not installed|command not found/);
  const route = (JSON.parse(d.stdout) as { addresses: { route: { ok: boolean; type: string } }[] }).addresses[0].route;
  assert.deepEqual([route.ok, route.type], [true, 'local'], JSON.stringify(route));
  const n = inRemoved([BIN, 'analyze-states', '--source', 'netstat', '--json']);
  assert.equal(n.status, 0, n.stderr);
  assert.equal(JSON.parse(n.stdout).source, 'netstat');
});

test('a relative file to write in a removed current directory is refused, naming it (exit 2, invalid-input in a task)', () => {
  for (const [args, file] of [[['--output', 'x.c'], 'x.c'], [[], 'server.c'], [['--language', 'python'], 'server.py'], [['--json', '--output', 'sub/y.mjs', '--language', 'node'], 'sub/y.mjs']] as const) {
    const r = inRemoved([BIN, 'generate-server', ...args]);
    assert.equal(r.status, 2, `${file}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stderr, `sockscope: ${removedWrite(file, r.dir)}\n`);
    assert.equal(existsSync(r.dir), false, 'the removed directory is not created again');
  }
  const g = inRemoved([BIN, 'generate-tcp-server', '--output', 'z.c']);
  assert.equal(g.status, 2);
  assert.match(g.stderr, /cannot write z\.c: the current directory .* was removed/);
  // An absolute path is written.
  const abs = join(root, 'abs.c');
  const a = inRemoved([BIN, 'generate-server', '--output', abs]);
  assert.equal(a.status, 0, a.stderr);
  assert.ok(existsSync(abs));
  // sockscope task: the generate task's output and --output.
  const t = inRemoved([BIN, 'task', '-'], '{"operation":"generate-server","output":"x.c"}');
  assert.equal(t.status, 2, t.stdout);
  const doc = JSON.parse(t.stdout);
  assert.deepEqual(doc.error, { code: 'invalid-input', message: removedWrite('x.c', t.dir), issues: [{ path: 'output', message: removedWrite('x.c', t.dir) }] });
  const o = inRemoved([BIN, 'task', '-', '--output', 'r.json'], '{"operation":"errno","code":104}');
  assert.equal(o.status, 2, o.stdout);
  assert.equal(JSON.parse(o.stdout).error.message, removedWrite('r.json', o.dir));
});

test('the library in a removed current directory: a generate task with a relative output is refused in words', () => {
  const script = join(root, 'lib.mjs');
  writeFileSync(script, `import * as S from ${JSON.stringify(DIST)};\nconst r = await S.executeTask({ operation: 'generate-server', output: 'x.c' });\nconsole.log(JSON.stringify({ exitCode: r.exitCode, error: r.document.error, files: S.loadConfig({ env: {} }).files.map((f) => f.found) }));\n`);
  const r = inRemoved([process.execPath, script]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.exitCode, 2);
  assert.deepEqual(out.error, { code: 'invalid-input', message: removedWrite('x.c', r.dir), issues: [{ path: 'output', message: removedWrite('x.c', r.dir) }] });
  assert.deepEqual(out.files, [false, false, false]);
});

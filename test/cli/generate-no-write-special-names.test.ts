// generate-server was refused when it wrote nothing (2f40b18e): in a directory holding a unix socket named `server`,
// `generate-server --stdout`, `--json` (no --output), the task {"operation":"generate-server"} and the library's
// generateServerFiles({language: 'c'}) all said "--output server.c: the binary its build command makes (-o server) is a
// socket, not a file", and from inside /dev `--stdout` said "server.c is a new name under /dev": render.ts judged the
// default name on every render. Now only a name that is written (an --output/output given, or the CLI's own write of
// the default name) is judged; those refusals stay. The socket is a real one (node's net listening on a path).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateServer, generateServerFiles } from '../../src/api/generate.js';
import { InvalidInputError } from '../../src/api/errors.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-nowrite-'));
const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});
const run = (args: string[], cwd: string, input?: string) =>
  spawnSync(BIN, args, { cwd, input, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
const socketMessage = '--output server.c: the binary its build command makes (-o server) is a socket, not a file; choose another --output';

test('a socket named server: --stdout, --json, a task and the library without output write nothing and succeed', async () => {
  const srv = createServer();
  servers.push(srv);
  await new Promise<void>((res) => srv.listen(join(dir, 'server'), res));
  const out = run(['generate-server', '--stdout'], dir);
  assert.equal(out.status, 0, out.stderr);
  assert.match(out.stdout, /#include <sys\/socket\.h>/);
  const json = run(['generate-server', '--json'], dir);
  assert.equal(json.status, 0, json.stderr);
  assert.equal(JSON.parse(json.stdout).files[0].path, 'server.c');
  const task = run(['task', '-'], dir, '{"operation":"generate-server"}');
  assert.equal(task.status, 0, task.stdout + task.stderr);
  assert.equal(JSON.parse(task.stdout).ok, true);
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    assert.equal(generateServerFiles({ language: 'c' }).files[0].path, 'server.c');
    assert.equal(generateServer({ language: 'c' }).files[0].path, 'server.c');
    // Writes are still refused: the library's output, generateServer with output named.
    assert.throws(() => generateServerFiles({ language: 'c', output: 'server.c' }), (e) => e instanceof InvalidInputError && /-o server\) is a socket/.test(e.message));
    assert.throws(() => generateServer({ language: 'c' }, { output: 'server.c' }), (e) => e instanceof InvalidInputError && /-o server\) is a socket/.test(e.message));
  } finally {
    process.chdir(cwd);
  }
  // The CLI's writes keep 2f40b18e's refusal: the default write, --output, --json --output, the task's output.
  for (const args of [[], ['--output', 'server.c'], ['--json', '--output', 'server.c'], ['--force']]) {
    const r = run(['generate-server', ...args], dir);
    assert.equal(r.status, 2, `${args}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stderr, `sockscope: ${socketMessage}\n`);
  }
  const taskOut = run(['task', '-'], dir, '{"operation":"generate-server","output":"server.c"}');
  assert.equal(taskOut.status, 2, taskOut.stdout + taskOut.stderr);
  assert.match(JSON.parse(taskOut.stdout).error.message, /-o server\) is a socket/);
  assert.ok(!existsSync(join(dir, 'server.c')));
});

test('run from /dev: --stdout and --json print the server; the default write is still refused', () => {
  const before = readdirSync('/dev');
  if (before.includes('server.c') || before.includes('server')) return; // not this test's to judge
  const out = run(['generate-server', '--stdout'], '/dev');
  assert.equal(out.status, 0, out.stderr);
  assert.match(out.stdout, /#include <sys\/socket\.h>/);
  const py = run(['generate-server', '--language', 'python', '--json'], '/dev');
  assert.equal(py.status, 0, py.stderr);
  const w = run(['generate-server'], '/dev');
  try {
    assert.equal(w.status, 2, w.stdout + w.stderr);
    assert.equal(
      w.stderr,
      "sockscope: server.c is a new name under /dev (the system's devices; only /dev/shm takes new files); it is never created, not even with --force (choose another --output)\n",
    );
  } finally {
    rmSync('/dev/server.c', { force: true });
  }
});

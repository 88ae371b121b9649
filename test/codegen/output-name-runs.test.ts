// A generated server's file name must be one its own Run command runs (review s21 api #2). The Node server is an
// ES module: written as srv.cjs, srv.py or srv.txt it was accepted (ok, written, "Run: node srv.cjs") and node then
// failed (SyntaxError: Cannot use import statement outside a module; ERR_UNKNOWN_FILE_EXTENSION). A Python server
// named after a standard module it imports (socket.py, ssl.py) is imported in that module's place and fails at start.
// Each accepted name is run here with node / python3 and must print its port; each refused one is refused as a C
// file without .c is: exit 2 on the command line, invalid-input at `output` in the library and in a task.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateServerFiles } from '../../src/api/generate.js';
import { executeTask } from '../../src/api/task.js';
import { InvalidInputError } from '../../src/api/errors.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

/** Runs `cmd ...flags file` in dir until it prints its port (true) or exits / 8 s pass (false, with what it said). */
function starts(cmd: string, file: string, cwd: string, flags: string[] = []): Promise<{ ok: boolean; said: string }> {
  return new Promise((res) => {
    const p = spawn(cmd, [...flags, file], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let said = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      p.kill('SIGKILL');
      res({ ok, said });
    };
    const timer = setTimeout(() => done(false), 8000);
    p.stdout.on('data', (d) => {
      said += d;
      if (/port \d+/.test(said)) done(true);
    });
    p.stderr.on('data', (d) => (said += d));
    p.on('exit', () => done(false));
  });
}

function refusedEverywhere(language: string, dir: string, name: string, why: RegExp, ioModel?: string): void {
  const r = spawnSync(BIN, ['generate-server', '--language', language, ...(ioModel ? ['--io-model', ioModel] : []), '--port', '0', '--output', name], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 2, `${name}: ${r.stdout}${r.stderr}`);
  assert.match(r.stderr, new RegExp(`^sockscope: --output ${name.replace(/\./g, '\\.')}: ${why.source}`), name);
  assert.equal(existsSync(join(dir, name)), false, name);
  assert.throws(() => generateServerFiles({ language: language as never, ioModel, port: 0, output: join(dir, name) }), (e: unknown) => e instanceof InvalidInputError && e.code === 'invalid-input' && e.issues[0].path === 'output' && why.test(e.message), name);
}

test('a Node server is written only under a name node runs as an ES module', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-nodename-'));
  // Refused: node does not run them as an ES module.
  for (const name of ['srv.cjs', 'srv.py', 'srv.txt', 'srv.MJS']) refusedEverywhere('node', root, name, /a Node server's file needs the \.mjs extension/);
  // A package.json saying "commonjs" makes .js and extensionless files CommonJS: refused there, accepted beside "module".
  const cj = join(root, 'cj');
  const mo = join(root, 'mo');
  mkdirSync(cj);
  mkdirSync(mo);
  writeFileSync(join(cj, 'package.json'), '{"type": "commonjs"}');
  writeFileSync(join(mo, 'package.json'), '{"type": "module"}');
  for (const name of ['srv.js', 'srv']) refusedEverywhere('node', cj, name, /a Node server's file needs the \.mjs extension here: .*"type": "commonjs"/);
  // Node stops its package.json lookup at a node_modules directory without reading node_modules/package.json
  // (review s21 api #3: a "commonjs" one there refused srv.js, which node runs), nor goes above it (cj/node_modules).
  const nm = join(root, 'nm', 'node_modules');
  const nmSub = join(cj, 'node_modules', 'sub');
  mkdirSync(nm, { recursive: true });
  mkdirSync(nmSub, { recursive: true });
  writeFileSync(join(nm, 'package.json'), '{"type": "commonjs"}');
  writeFileSync(join(cj, 'node_modules', 'package.json'), 'not json');
  // Accepted ones run as written (no package.json above the temporary directory: Node detects the module syntax).
  for (const [dir, name] of [[root, 'a.mjs'], [root, 'b.js'], [root, 'c'], [mo, 'd.js'], [mo, 'e'], [cj, 'f.mjs'], [nm, 'g.js'], [nm, 'h'], [nmSub, 'i.js']]) {
    const r = spawnSync(BIN, ['generate-server', '--language', 'node', '--port', '0', '--output', name], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`Run: +node ${name}\\b`));
    const run = await starts('node', name, dir);
    assert.ok(run.ok, `node ${name} in ${dir}: ${run.said}`);
  }
  // The task: the documented code, exit 2.
  const t = await executeTask({ operation: 'generate-server', language: 'node', output: join(root, 'srv.cjs') });
  assert.equal(t.exitCode, 2);
  assert.equal(t.document.ok === false && t.document.error.code, 'invalid-input');
  assert.match(t.document.ok === false ? t.document.error.message : '', /^output .*srv\.cjs: a Node server's file needs the \.mjs extension/);
});

test('a Python server is not named after a standard module it imports', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-pyname-'));
  for (const name of ['socket.py', 'select.py', 'signal.py', 'enum.py', 're.py']) refusedEverywhere('python', root, name, /a Python server's file must not be named after a standard module it imports/);
  refusedEverywhere('python', root, 'ssl.py', /a Python server's file must not be named after a standard module/, 'asyncio');
  const t = await executeTask({ operation: 'generate-server', language: 'python', output: join(root, 'socket.py') });
  assert.equal(t.exitCode, 2);
  assert.equal(t.document.ok === false && t.document.error.code, 'invalid-input');
  // Accepted names run: any extension or none (python3 runs any file), and ssl.py for the threads server, which does not
  // import ssl. Run with -S (no site, so no sitecustomize imports a module before the server does and hides a clash),
  // under python3 from PATH and Debian's /usr/bin/python3 when present (review s21 api #2: enum.py ran only under the former).
  const pythons = ['python3', ...(existsSync('/usr/bin/python3') ? ['/usr/bin/python3'] : [])];
  for (const [name, io] of [['p.py', 'asyncio'], ['q', 'asyncio'], ['r.txt', 'selectors'], ['ssl.py', 'threads'], ['test.py', 'asyncio']]) {
    const dir = mkdtempSync(join(root, 'd-'));
    const r = spawnSync(BIN, ['generate-server', '--language', 'python', '--io-model', io, '--port', '0', '--output', name], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    for (const py of pythons) {
      const run = await starts(py, name, dir, ['-S']);
      assert.ok(run.ok, `${py} -S ${name} (${io}): ${run.said}`);
    }
  }
});

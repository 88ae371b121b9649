// A name under /dev that did not exist yet was written (run as root): `generate-server --output /dev/null.c` wrote
// /dev/null.c and printed `Build: cc ... -o /dev/null /dev/null.c`, `Run: /dev/null` (exit 0); a generate task with
// "output": "/dev/x-gen.py" wrote it ("ok": true): specialKind returned early when lstat found nothing, so the /dev
// check never ran for a new name. And `generate-server --output /dev/null --force` (C) said the name needs the .c
// extension, "e.g. /dev/null.c", a path under /dev. Now a new name under /dev outside /dev/shm is refused before
// anything is written (CLI, task, library), the /dev check comes before the name checks, and a build command whose
// binary (-o) is a device, a link to one or a new name under /dev is never printed. /dev/shm keeps taking files.
// Every name this creates under /dev is this test's own (sockscope-test-PID-...) and is removed after.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFilesAtomic } from '../../src/codegen/index.js';
import { specialKind } from '../../src/codegen/output-target.js';
import { generateServer, generateServerFiles } from '../../src/api/generate.js';
import { InvalidInputError } from '../../src/api/errors.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-devnew-'));
const shm = mkdtempSync('/dev/shm/sockscope-test-');
const tag = `sockscope-test-${process.pid}-`;
const devName = (rest: string) => `/dev/${tag}${rest}`;
/** Whatever this file left directly under /dev (there should be nothing: each test asserts it too). */
const leftUnderDev = () => readdirSync('/dev').filter((n) => n.includes(tag));
after(() => {
  for (const n of leftUnderDev()) rmSync(join('/dev', n), { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
  rmSync(shm, { recursive: true, force: true });
});
writeFileSync(join(dir, 'job.json'), '{"operation":"errno","code":"EPIPE"}');
const run = (args: string[], input?: string) =>
  spawnSync(BIN, args, { cwd: dir, input, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
const newNameMessage = (p: string, force = '--force', field = '--output') =>
  `${p} is a new name under /dev (the system's devices; only /dev/shm takes new files); it is never created, not even with ${force} (choose another ${field})`;

test('generate-server --output /dev/null --force (C): the device is named, not the .c extension with a name under /dev', () => {
  const r = run(['generate-server', '--output', '/dev/null', '--force']);
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.equal(r.stderr, 'sockscope: /dev/null is a character device, not a file; it is never replaced, not even with --force (choose another --output)\n');
  assert.equal(r.stdout, '');
  // The same for a Node name whose suggestion would be /dev/... (.cjs -> .mjs) and a Python one named after a module.
  for (const [lang, name] of [
    ['node', '/dev/null.cjs'],
    ['python', '/dev/socket.py'],
  ]) {
    const n = run(['generate-server', '--language', lang, '--output', name]);
    assert.equal(n.status, 2, n.stdout + n.stderr);
    assert.equal(n.stderr, `sockscope: ${newNameMessage(name)}\n`);
  }
  // The library's generateServer (writes nothing) says it too, and no result names cc -o /dev/null.
  assert.throws(() => generateServer({}, { output: '/dev/null' }), (e) => e instanceof InvalidInputError && /^\/dev\/null is a character device, not a file/.test(e.message) && !/null\.c/.test(e.message));
});

test('generate-server --output NEW-NAME-UNDER-/dev: refused with and without --force, nothing written, no build command', () => {
  for (const force of [[], ['--force']]) {
    for (const [lang, name] of [
      ['c', devName('gen.c')],
      ['python', devName('gen.py')],
      ['node', devName('gen.mjs')],
      ['python', devName('sub/gen.py')],
    ]) {
      const r = run(['generate-server', '--language', lang, '--output', name, ...force]);
      assert.equal(r.status, 2, `${name} ${force}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stderr, `sockscope: ${newNameMessage(name)}\n`);
      assert.equal(r.stdout, '');
      assert.deepEqual(leftUnderDev(), []);
    }
  }
  // Spelt otherwise: through a directory link into /dev, and /dev/shm/.. .
  symlinkSync('/dev', join(dir, 'devlink'));
  for (const name of ['devlink/' + tag + 'x.c', `/dev/shm/../${tag}y.c`]) {
    const r = run(['generate-server', '--output', name, '--force']);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.equal(r.stderr, `sockscope: ${newNameMessage(name)}\n`);
  }
  assert.deepEqual(leftUnderDev(), []);
});

test('task generate-server with output under /dev: invalid-input at output, nothing written; task --output too', () => {
  for (const force of [false, true]) {
    const out = devName('task-gen.py');
    const r = run(['task', '-'], JSON.stringify({ operation: 'generate-server', language: 'python', output: out, force }));
    assert.equal(r.status, 2, r.stdout + r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.ok, false);
    assert.equal(doc.error.code, 'invalid-input');
    assert.equal(doc.error.message, newNameMessage(out, '"force": true', 'output'));
    assert.deepEqual(doc.error.issues.map((i: { path: string }) => i.path), ['output']);
    assert.deepEqual(leftUnderDev(), []);
  }
  // The task's own result file (--output) under /dev: refused before the task runs, no probe file left either.
  const res = devName('result.json');
  const t = run(['task', 'job.json', '--output', res, '--force']);
  assert.equal(t.status, 2, t.stdout + t.stderr);
  assert.equal(JSON.parse(t.stdout).error.message, newNameMessage(res));
  assert.deepEqual(leftUnderDev(), []);
});

test('library: generateServerFiles and writeFilesAtomic refuse a new name under /dev, even with force', () => {
  const out = devName('lib.py');
  assert.equal(specialKind(out), 'new name under /dev');
  assert.throws(
    () => generateServerFiles({ language: 'python', output: out, force: true }),
    (e) => e instanceof InvalidInputError && e.message === newNameMessage(out, '"force": true', 'output') && e.issues[0].path === 'output',
  );
  assert.throws(() => writeFilesAtomic([{ path: out, content: 'x' }], { force: true }), {
    message: `cannot write ${out}: it is a new name under /dev (the system's devices; only /dev/shm takes new files)`,
  });
  assert.deepEqual(leftUnderDev(), []);
});

test('/dev/shm still takes new files (CLI C, task, library) and replaces them with --force', () => {
  assert.equal(specialKind(join(shm, 'new.c')), undefined);
  assert.equal(specialKind(join(shm, 'newdir', 'new.c')), undefined);
  const c = join(shm, 'srv.c');
  const r = run(['generate-server', '--output', c]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`Build: +cc .* -o ${join(shm, 'srv')} ${c}\\n`));
  writeFileSync(c, 'old');
  assert.equal(run(['generate-server', '--output', c, '--force']).status, 0);
  assert.notEqual(readFileSync(c, 'utf8'), 'old');
  const py = join(shm, 'sub', 'task.py');
  const t = run(['task', '-'], JSON.stringify({ operation: 'generate-server', language: 'python', output: py }));
  assert.equal(t.status, 0, t.stdout + t.stderr);
  assert.deepEqual(JSON.parse(t.stdout).result.written, [py]);
  assert.deepEqual(generateServerFiles({ language: 'node', output: join(shm, 'lib.mjs') }).written, [join(shm, 'lib.mjs')]);
});

test('a C build command whose binary (-o) is a device, a link to one or a new name under /dev is never printed', () => {
  // The stem beside the file is a link to /dev/null: `cc -o null` would write through it.
  symlinkSync('/dev/null', join(dir, 'null'));
  const linked = run(['generate-server', '--output', 'null.c']);
  assert.equal(linked.status, 2, linked.stdout + linked.stderr);
  assert.equal(linked.stderr, 'sockscope: --output null.c: the binary its build command makes (-o null) is a symbolic link to a character device, not a file; choose another --output\n');
  assert.ok(!existsSync(join(dir, 'null.c')));
  // --platform windows builds STEM.exe.
  symlinkSync('/dev/null', join(dir, 'win.exe'));
  const win = run(['generate-server', '--platform', 'windows', '--output', 'win.c']);
  assert.equal(win.status, 2, win.stdout + win.stderr);
  assert.match(win.stderr, /the binary its build command makes \(-o win\.exe\) is a symbolic link to a character device/);
  // A FIFO on /dev/shm as the stem.
  assert.equal(spawnSync('mkfifo', [join(shm, 'pipe')]).status, 0);
  const fifo = run(['generate-server', '--output', join(shm, 'pipe.c')]);
  assert.equal(fifo.status, 2, fifo.stdout + fifo.stderr);
  assert.match(fifo.stderr, /\(-o \/dev\/shm\/.*\/pipe\) is a FIFO, not a file/);
  // A regular file under /dev (an earlier run's /dev/null.c) may be replaced with --force, but not built into
  // /dev/NAME: the build command would make a new name among the devices. Its content stays.
  const plain = devName('plain.c');
  writeFileSync(plain, 'mine');
  try {
    const r = run(['generate-server', '--output', plain, '--force']);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.equal(
      r.stderr,
      `sockscope: --output ${plain}: the binary its build command makes (-o ${plain.slice(0, -2)}) is a new name under /dev (the system's devices; only /dev/shm takes new files); choose another --output\n`,
    );
    assert.equal(r.stdout, '');
    assert.equal(readFileSync(plain, 'utf8'), 'mine');
    assert.ok(lstatSync(plain).isFile());
  } finally {
    rmSync(plain, { force: true });
  }
  assert.deepEqual(leftUnderDev(), []);
});

// `..` after a symbolic link was judged as text (2f40b18e): with ln -> /dev/shm, `generate-server --output ln/../X.c`
// passed the /dev check (resolve() collapses `ln/..` to the current directory) while the kernel writes /dev/X.c; it
// failed only by accident, with EXDEV from link() across file systems. output-target.ts entryOf (then write.ts) now takes the realpath of the
// name's directory as written, so it is refused as a new name under /dev (exit 2) before anything is written.
// A link to an ordinary directory still writes beside that directory, where the kernel puts it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateServerFiles } from '../../src/api/generate.js';
import { InvalidInputError } from '../../src/api/errors.js';
import { specialKind } from '../../src/codegen/output-target.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-dotdot-'));
const tag = `sockscope-test-${process.pid}-`;
const leftUnderDev = () => readdirSync('/dev').filter((n) => n.includes(tag));
after(() => {
  for (const n of leftUnderDev()) rmSync(join('/dev', n), { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});
symlinkSync('/dev/shm', join(dir, 'ln'));
const run = (args: string[], input?: string) =>
  spawnSync(BIN, args, { cwd: dir, input, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
const newNameMessage = (p: string, force = '--force', field = '--output') =>
  `${p} is a new name under /dev (the system's devices; only /dev/shm takes new files); it is never created, not even with ${force} (choose another ${field})`;

test('--output ln/../NAME with ln -> /dev/shm is a new name under /dev: refused, exit 2, nothing written', () => {
  for (const [lang, name] of [
    ['c', `ln/../${tag}rev.c`],
    ['python', `ln/../${tag}rev.py`],
    ['node', `ln/../${tag}rev.mjs`],
  ]) {
    for (const force of [[], ['--force']]) {
      const r = run(['generate-server', '--language', lang, '--output', name, ...force]);
      assert.equal(r.status, 2, `${name} ${force}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stderr, `sockscope: ${newNameMessage(name)}\n`);
      assert.equal(r.stdout, '');
    }
  }
  const out = `ln/../${tag}task.py`;
  const t = run(['task', '-'], JSON.stringify({ operation: 'generate-server', language: 'python', output: out }));
  assert.equal(t.status, 2, t.stdout + t.stderr);
  assert.equal(JSON.parse(t.stdout).error.message, newNameMessage(out, '"force": true', 'output'));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    assert.equal(specialKind(`ln/../${tag}x.c`), 'new name under /dev');
    assert.throws(() => generateServerFiles({ language: 'python', output: `ln/../${tag}lib.py`, force: true }), (e) => e instanceof InvalidInputError && e.message === newNameMessage(`ln/../${tag}lib.py`, '"force": true', 'output'));
  } finally {
    process.chdir(cwd);
  }
  assert.deepEqual(leftUnderDev(), []);
});

test('--output lnd/../NAME with lnd -> an ordinary directory writes beside that directory, as the kernel does', () => {
  mkdirSync(join(dir, 'a', 'b'), { recursive: true });
  symlinkSync(join(dir, 'a', 'b'), join(dir, 'lnd'));
  const r = run(['generate-server', '--language', 'python', '--output', 'lnd/../srv.py']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(existsSync(join(dir, 'a', 'srv.py')));
});

// A regular file on /dev/shm (a tmpfs) that a first run wrote was refused on the second with --force as "a path under
// /dev (the system's devices), not a file; it is never replaced": the writer judged the name by its prefix. It is a
// regular file: replaced with --force (task --output, generateServerFiles with force), refused without it as any
// existing file is. What is the system's stays refused even with force: /dev/null (a device), /dev/stdout and a
// symbolic link under /dev, whatever it points to.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { specialKind } from '../../src/codegen/output-target.js';
import { generateServerFiles } from '../../src/api/generate.js';
import { InvalidInputError } from '../../src/api/errors.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-devshm-'));
const shm = mkdtempSync('/dev/shm/sockscope-test-');
after(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(shm, { recursive: true, force: true });
});
writeFileSync(join(dir, 'job.json'), '{"operation":"errno","code":"EPIPE"}');
const run = (...args: string[]) => spawnSync(BIN, args, { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });

test('task --output on /dev/shm: written, then refused without --force, replaced with --force', () => {
  const out = join(shm, 'x.json');
  const first = run('task', 'job.json', '--output', out);
  assert.equal(first.status, 0, first.stdout + first.stderr);
  assert.equal(JSON.parse(readFileSync(out, 'utf8')).operation, 'errno');
  const again = run('task', 'job.json', '--output', out);
  assert.equal(again.status, 2, again.stdout + again.stderr);
  assert.equal(JSON.parse(again.stdout).error.message, `${out} already exists; pass --force to overwrite it (or choose another --output)`);
  writeFileSync(out, 'old');
  const forced = run('task', 'job.json', '--output', out, '--force');
  assert.equal(forced.status, 0, forced.stdout + forced.stderr);
  assert.equal(JSON.parse(readFileSync(out, 'utf8')).operation, 'errno');
});

test('generateServerFiles with output on /dev/shm and force: the file an earlier call wrote is replaced', () => {
  const out = join(shm, 'srv.py');
  assert.deepEqual(generateServerFiles({ language: 'python', output: out }).written, [out]);
  writeFileSync(out, 'old');
  assert.equal(specialKind(out), undefined);
  assert.deepEqual(generateServerFiles({ language: 'python', output: out, force: true }).written, [out]);
  assert.notEqual(readFileSync(out, 'utf8'), 'old');
});

test('the system\'s names under /dev stay refused even with --force, with what they are', () => {
  const r = run('task', 'job.json', '--output', '/dev/null', '--force');
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.equal(JSON.parse(r.stdout).error.message, '/dev/null is a character device, not a file; it is never replaced, not even with --force (choose another --output)');
  assert.notEqual(specialKind('/dev/stdout'), undefined); // what it is depends on this process's stdout
  // A link on /dev/shm to a regular file: a link under /dev is not replaced (the writer would rename over the link).
  writeFileSync(join(dir, 'plain.json'), 'mine');
  const link = join(shm, 'link.py');
  symlinkSync(join(dir, 'plain.json'), link);
  assert.throws(
    () => generateServerFiles({ language: 'python', output: link, force: true }),
    (e) => e instanceof InvalidInputError && e.message === `${link} is a symbolic link under /dev (the system's devices), not a file; it is never replaced, not even with "force": true (choose another output)`,
  );
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.equal(readFileSync(join(dir, 'plain.json'), 'utf8'), 'mine');
});

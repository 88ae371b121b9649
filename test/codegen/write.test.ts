// writeFilesAtomic: temp file + link/rename, never replaces without force, clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, chmodSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileExistsError, writeFilesAtomic } from '../../src/codegen/index.js';
import { existingFiles } from '../../src/codegen/output-target.js';
import { cleanup } from './harness.js';

test('writes new files, refuses to replace without force, replaces with force, leaves no temp files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-write-'));
  try {
    const p = join(dir, 'sub', 'a.py');
    assert.deepEqual(writeFilesAtomic([{ path: p, content: 'one' }]), [p]);
    assert.equal(readFileSync(p, 'utf8'), 'one');
    assert.throws(() => writeFilesAtomic([{ path: p, content: 'two' }]), FileExistsError);
    assert.equal(readFileSync(p, 'utf8'), 'one');
    writeFilesAtomic([{ path: p, content: 'three' }], { force: true });
    assert.equal(readFileSync(p, 'utf8'), 'three');
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['a.py']);
    // Nothing is written when any target exists.
    const q = join(dir, 'q.c');
    assert.throws(() => writeFilesAtomic([{ path: q, content: 'x' }, { path: p, content: 'y' }]), /a\.py already exists/);
    assert.throws(() => readFileSync(q));
  } finally {
    cleanup(dir);
  }
});

test('an unwritable directory gives an error naming the target, not the temporary file', { skip: process.getuid?.() === 0 ? 'root can write anywhere' : undefined }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-write-'));
  try {
    chmodSync(dir, 0o500);
    assert.throws(() => writeFilesAtomic([{ path: join(dir, 'x.py'), content: '' }]), /cannot write .*x\.py: permission denied/);
  } finally {
    chmodSync(dir, 0o700);
    cleanup(dir);
  }
});


/**
 * Runs writeFilesAtomic in a child whose file size limit is 512 bytes (ulimit -f 1, SIGXFSZ ignored):
 * a real failing write(2) (a short write, then EFBIG), as on a full disk, without needing root.
 */
function writeUnderSizeLimit(files: { path: string; content: string }[], force: boolean): { ok: boolean; message: string } {
  const mod = new URL('../../src/codegen/write.ts', import.meta.url).pathname;
  const script = `import { writeFilesAtomic } from ${JSON.stringify(mod)};
try { writeFilesAtomic(${JSON.stringify(files)}, { force: ${force} }); console.log(JSON.stringify({ ok: true, message: '' })); }
catch (e) { console.log(JSON.stringify({ ok: false, message: e.message })); }`;
  const r = spawnSync('sh', ['-c', `trap '' XFSZ; ulimit -f 1 && exec "$0" --import tsx --input-type=module -e "$1"`, process.execPath, script], {
    encoding: 'utf8',
    timeout: 30_000,
    cwd: new URL('../..', import.meta.url).pathname,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('a dangling symbolic link is an existing file (lstat): refused up front, replaced (not followed) with force', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-write-'));
  try {
    const link = join(dir, 'srv.c');
    symlinkSync(join(dir, 'gone', 'target.c'), link);
    // existsSync follows the link and says no: the write ran until link() failed with EEXIST.
    assert.deepEqual(existingFiles([{ path: link }]), [link]);
    const other = join(dir, 'first.py');
    assert.throws(() => writeFilesAtomic([{ path: other, content: 'x' }, { path: link, content: 'y' }]), FileExistsError);
    assert.equal(existsSync(other), false, 'refused before writing anything');
    writeFilesAtomic([{ path: link, content: 'forced' }], { force: true });
    assert.ok(lstatSync(link).isFile());
    assert.equal(readFileSync(link, 'utf8'), 'forced');
    assert.equal(existsSync(join(dir, 'gone')), false, 'the link target is not created');
  } finally {
    cleanup(dir);
  }
});

test('a directory is never written, even with force; an empty path is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-write-'));
  try {
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    for (const force of [false, true]) {
      assert.throws(() => writeFilesAtomic([{ path: join(dir, 'a.py'), content: 'x' }, { path: sub, content: 'y' }], { force }), (e: unknown) => (e as Error).message === `cannot write ${sub}: it is a directory`);
    }
    assert.deepEqual(readdirSync(dir), ['sub'], 'nothing written, no temporary file');
    assert.deepEqual(readdirSync(sub), []);
    assert.throws(() => writeFilesAtomic([{ path: '', content: 'x' }]), /cannot write a file with an empty name/);
  } finally {
    cleanup(dir);
  }
});

test('errors say the reason in words and name the path once, never the temporary file', () => {
  // /proc takes no new files: open() of the temporary file fails with ENOENT (Node's message names it).
  for (const target of ['/proc/sockscope-x.c', '/proc/sockscope-zz/yy/x.c']) {
    let message = '';
    assert.throws(() => writeFilesAtomic([{ path: target, content: 'x' }]), (e: unknown) => ((message = (e as Error).message), true));
    assert.doesNotMatch(message, /\.tmp|ENOENT|open '|mkdir '/, message);
    assert.match(message, /^cannot (write|create the directory \S+ for) \S+: no such file or directory/, message);
    assert.equal(message.split(target).length, 2, `${target} named once: ${message}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-write-'));
  try {
    writeFileSync(join(dir, 'plain'), '');
    assert.throws(() => writeFilesAtomic([{ path: join(dir, 'plain', 'x.c'), content: 'x' }]), /cannot write .*plain\/x\.c: a part of the path is not a directory$/);
  } finally {
    cleanup(dir);
  }
});

test('missing directories are created, and removed again when the write fails', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-write-'));
  try {
    const p = join(dir, 'n1', 'n2', 'srv.py');
    writeFilesAtomic([{ path: p, content: 'ok' }]);
    assert.equal(readFileSync(p, 'utf8'), 'ok');
    // A failing write (file size limit) in new directories: the directories go with the temporary file.
    const big = 'x'.repeat(64 * 1024);
    for (const force of [false, true]) {
      const r = writeUnderSizeLimit([{ path: join(dir, 'm1', 'a.py'), content: 'small' }, { path: join(dir, 'm1', 'm2', 'b.py'), content: big }], force);
      assert.equal(r.ok, false);
      assert.match(r.message, /cannot write .*b\.py: file too large/);
      assert.deepEqual(readdirSync(dir).sort(), ['n1'], `force ${force}: created directories removed`);
    }
  } finally {
    cleanup(dir);
  }
});

test('a write that fails part way (file size limit) removes the temporary file and anything this call created', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-write-'));
  try {
    const big = 'x'.repeat(64 * 1024);
    // Two new files, the second fails: neither the temp file nor the first file stays.
    const r = writeUnderSizeLimit([{ path: join(dir, 'a.py'), content: 'ok' }, { path: join(dir, 'b.py'), content: big }], false);
    assert.equal(r.ok, false, 'a short write must not publish a truncated file');
    assert.match(r.message, /cannot write .*b\.py: file too large/);
    assert.deepEqual(readdirSync(dir), []);
    // --force over an existing file: the user's file is untouched, no temp file left.
    writeFileSync(join(dir, 'mine.c'), 'mine');
    const f = writeUnderSizeLimit([{ path: join(dir, 'mine.c'), content: big }], true);
    assert.equal(f.ok, false);
    assert.equal(readFileSync(join(dir, 'mine.c'), 'utf8'), 'mine');
    assert.deepEqual(readdirSync(dir), ['mine.c']);
  } finally {
    cleanup(dir);
  }
});

const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version'], { stdio: 'ignore' }).error === undefined;

test('a full disk (64 KiB tmpfs) removes the temporary file and keeps the existing file', { skip: canMount ? undefined : 'needs root to mount a small tmpfs' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-full-'));
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { encoding: 'utf8' });
  if (m.status !== 0) {
    cleanup(dir);
    assert.ok(process.env.CI !== 'true', `mount tmpfs failed: ${m.stderr}`);
    return;
  }
  try {
    const big = 'y'.repeat(1024 * 1024);
    assert.throws(() => writeFilesAtomic([{ path: join(dir, 'srv.py'), content: big }]), /cannot write .*srv\.py: no space left on the device/);
    assert.deepEqual(readdirSync(dir), []);
    writeFileSync(join(dir, 'srv.py'), 'mine');
    assert.throws(() => writeFilesAtomic([{ path: join(dir, 'srv.py'), content: big }], { force: true }), /no space left/);
    assert.equal(readFileSync(join(dir, 'srv.py'), 'utf8'), 'mine');
    assert.deepEqual(readdirSync(dir), ['srv.py']);
  } finally {
    spawnSync('umount', [dir]);
    cleanup(dir);
  }
});

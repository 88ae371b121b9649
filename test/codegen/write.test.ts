// writeFilesAtomic: temp file + link/rename, never replaces without force, clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileExistsError, writeFilesAtomic } from '../../src/codegen/index.js';
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


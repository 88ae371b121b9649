// `generate-server ... -o m.py --force` over an existing file with mode 600 or 750 left it 644: the atomic
// write renames a new temporary file (created 0644) over it. The replaced file now keeps its permission
// bits; a new file is still 0644 (less the umask), and a symbolic link (replaced, not followed) gives the
// new file the default mode and leaves its target alone. writeFilesAtomic directly, and the built CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFilesAtomic } from '../../src/codegen/write.js';
import { runCli } from '../helpers/run-cli.js';

const mode = (p: string) => lstatSync(p).mode & 0o7777;

test('writeFilesAtomic with force keeps a replaced file\'s mode (600, 750, 640); new files and links get the default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-mode-'));
  const umask = process.umask(0o022);
  try {
    for (const m of [0o600, 0o750, 0o640, 0o444]) {
      const p = join(dir, `m${m.toString(8)}.py`);
      writeFileSync(p, 'old\n');
      chmodSync(p, m);
      writeFilesAtomic([{ path: p, content: 'new\n' }], { force: true });
      assert.equal(readFileSync(p, 'utf8'), 'new\n');
      assert.equal(mode(p).toString(8), m.toString(8), `mode ${m.toString(8)} kept`);
    }
    const fresh = join(dir, 'fresh.py');
    writeFilesAtomic([{ path: fresh, content: 'x\n' }], { force: true });
    assert.equal(mode(fresh).toString(8), '644');
    const target = join(dir, 'target.py');
    writeFileSync(target, 'target\n');
    chmodSync(target, 0o700);
    const link = join(dir, 'link.py');
    symlinkSync(target, link);
    writeFilesAtomic([{ path: link, content: 'through\n' }], { force: true });
    assert.ok(lstatSync(link).isFile(), 'the link was replaced by a file');
    assert.equal(mode(link).toString(8), '644');
    assert.equal(mode(target).toString(8), '700');
    assert.equal(readFileSync(target, 'utf8'), 'target\n');
  } finally {
    process.umask(umask);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sockscope generate-server -o m.py --force over a 600 and a 750 file keeps 600 and 750', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-mode-cli-'));
  try {
    for (const m of [0o600, 0o750]) {
      const p = join(dir, `m${m.toString(8)}.py`);
      writeFileSync(p, 'old\n');
      chmodSync(p, m);
      const r = await runCli(['generate-server', '--language', 'python', '--io-model', 'asyncio', '--port', '9000', '-o', p, '--force']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(readFileSync(p, 'utf8'), /asyncio/);
      assert.equal((statSync(p).mode & 0o7777).toString(8), m.toString(8));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// A C output path holding `*/` gave header lines naming 'x* /y.c' (a space kept the block comment closed), a file that
// does not exist (user review s26 wizard #6); render.ts shellQuote now closes the quote between the two characters.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test("C header: a path with */ named as the shell reads it, the comment still closed, the file compiles", () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-hdr-'));
  try {
    for (const out of ['x*/y.c', 'a/*b/*/c.c']) {
      const r = spawnSync(BIN, ['generate-server', '--output', out], { cwd: dir, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const text = readFileSync(join(dir, out), 'utf8');
      const header = text.slice(0, text.indexOf(' */\n'));
      assert.ok(!header.slice(2).includes('*/') && !header.slice(2).includes('/*'), header);
      const cc = spawnSync('cc', ['-std=c11', '-Wall', '-Wextra', '-Werror', '-pedantic', '-fsyntax-only', out], { cwd: dir, encoding: 'utf8' });
      assert.equal(cc.status, 0, cc.stderr);
      // The Run line, run by sh as `printf '%s\n' WORDS`, names the file's own binary; the Build line's last word the file.
      const run = /^ \* Run: (.*)$/m.exec(text)![1];
      assert.equal(spawnSync('sh', ['-c', `printf '%s\\n' ${run}`], { encoding: 'utf8' }).stdout, `${out.slice(0, -2)}\n`);
      const build = /^ \* Build: (.*)$/m.exec(text)![1];
      assert.equal(spawnSync('sh', ['-c', `set -- ${build}; eval "echo \\"\\\${$#}\\""`], { encoding: 'utf8' }).stdout, `${out}\n`);
      const regen = /^ \* Regenerate: (.*)$/m.exec(text)![1];
      assert.equal(spawnSync('sh', ['-c', `set -- ${regen}; eval "echo \\"\\\${$#}\\""`], { encoding: 'utf8' }).stdout, `${out}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

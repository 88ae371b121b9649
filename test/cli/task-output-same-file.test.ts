// A generate task whose own output path is the --output file: refused before the task runs (invalid-input, exit 2,
// issue path output / config.output), however the two are spelt (./r.py, an absolute path, a symbolic link to the
// directory, a symbolic link to the file). Before, the task wrote r.py and the result was then refused as "appeared
// while the task ran" (exit 2, after the side effect), or with --force replaced the server just written (exit 0).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-task-same-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => spawnSync(BIN, args, { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
writeFileSync(join(dir, 'g.json'), '{"operation":"generate-server","language":"python","output":"r.py"}');
writeFileSync(join(dir, 'a.json'), '{"operation":"generate","type":"tcp-server","config":{"output":" s.c"}}');
symlinkSync('.', join(dir, 'here'));

function refused(r: ReturnType<typeof run>, field: string): void {
  assert.equal(r.status, 2, r.stdout + r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.error.code, 'invalid-input');
  assert.match(doc.error.message, new RegExp(`^the task's ${field.replace('.', '\\.')} \\(.*\\) and --output \\(.*\\) name the same file`));
  assert.equal(doc.error.issues[0].path, field);
}

test('generate-server task: output and --output the same file, in several spellings, with and without --force: refused before it runs', () => {
  for (const out of ['r.py', './r.py', join(dir, 'r.py'), 'here/r.py', 'sub/../r.py']) {
    for (const force of [[], ['--force']]) {
      refused(run('task', 'g.json', '--output', out, ...force), 'output');
      assert.ok(!existsSync(join(dir, 'r.py')), `${out} ${force}: the task ran`);
    }
  }
});

test('generate task: config.output (trimmed, as the schema does) and --output the same file: refused', () => {
  refused(run('task', 'a.json', '-o', join(dir, 's.c'), '--force'), 'config.output');
  assert.ok(!existsSync(join(dir, 's.c')));
});

test('a symbolic link to the server file is the same file; another name is not', () => {
  writeFileSync(join(dir, 'old.py'), 'old');
  symlinkSync('old.py', join(dir, 'link.json'));
  writeFileSync(join(dir, 'h.json'), '{"operation":"generate-server","language":"python","output":"old.py","force":true}');
  refused(run('task', 'h.json', '--output', 'link.json', '--force'), 'output');
  assert.equal(readFileSync(join(dir, 'old.py'), 'utf8'), 'old');
  const ok = run('task', 'g.json', '--output', 'result.json');
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')).result.written, ['r.py']);
});

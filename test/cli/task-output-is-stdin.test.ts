// `sockscope task - -o job.json --force < job.json` replaced the task's file with the result: the input check compared
// --output with the task file only for a named input, never for stdin ('-'). Stdin redirected from the file that
// --output names (any spelling, a hard link) is now refused before the task runs (invalid-input, exit 2), even with
// --force, as `task /dev/stdin -o job.json < job.json` was; stdin from another file or a pipe still writes --output.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, linkSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-task-stdin-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sub = join(dir, 'sub');
const JOB = '{"operation":"errno","code":"EPIPE"}\n';
mkdirSync(sub);
writeFileSync(join(sub, 'job.json'), JOB);
writeFileSync(join(sub, 'other.json'), JOB);
symlinkSync('job.json', join(sub, 'link.json'));
linkSync(join(sub, 'job.json'), join(sub, 'hard.json'));

/** Runs sockscope with stdin redirected from `stdinFile` (as the shell's `< FILE`), or piped `input`. */
function run(args: string[], stdin: { file: string } | { input: string }) {
  const fd = 'file' in stdin ? openSync(join(sub, stdin.file), 'r') : undefined;
  try {
    return spawnSync(BIN, args, {
      cwd: sub,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: '1' },
      ...(fd !== undefined ? { stdio: [fd, 'pipe', 'pipe'] } : { input: (stdin as { input: string }).input }),
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

test('task - -o FILE < FILE, FILE in any spelling, with and without --force: refused before it runs, the job kept', () => {
  for (const out of ['job.json', './job.json', join(sub, 'job.json'), 'link.json', '../sub/job.json', 'hard.json']) {
    for (const force of [[], ['--force']]) {
      for (const o of ['-o', '--output']) {
        const r = run(['task', '-', o, out, ...force], { file: 'job.json' });
        assert.equal(r.status, 2, `- ${o} ${out} ${force}: ${r.stdout}${r.stderr}`);
        const doc = JSON.parse(r.stdout);
        assert.equal(doc.ok, false);
        assert.equal(doc.error.code, 'invalid-input');
        assert.equal(doc.operation, 'errno');
        assert.match(doc.error.message, /^--output \(.*\) names the task file itself \(stdin\): the result would replace the task; choose another --output$/);
        assert.equal(r.stderr, '');
        assert.equal(readFileSync(join(sub, 'job.json'), 'utf8'), JOB, `- ${o} ${out} ${force}: the job was replaced`);
      }
    }
  }
});

test('task - -o FILE from another file or from a pipe: the result is written', () => {
  for (const [i, stdin] of [{ file: 'other.json' }, { input: JOB }].entries()) {
    const out = join(sub, `result${i}.json`);
    const r = run(['task', '-', '-o', out, '--force'], stdin);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.ok(existsSync(out));
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).operation, 'errno');
  }
  assert.equal(readFileSync(join(sub, 'other.json'), 'utf8'), JOB);
});

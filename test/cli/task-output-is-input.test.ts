// `sockscope task job.json -o job.json --force` replaced the task's own file with the result: the user's job was lost.
// An --output that is the task file, however spelt (./job.json, an absolute path, a symbolic link to it or to its
// directory, sub/../job.json, a hard link), is refused before the task runs (invalid-input, exit 2), even with --force.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-task-self-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => spawnSync(BIN, args, { cwd: join(dir, 'sub'), encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
const JOB = '{"operation":"errno","code":"EPIPE"}\n';
mkdirSync(join(dir, 'sub'));
writeFileSync(join(dir, 'sub', 'job.json'), JOB);
symlinkSync('job.json', join(dir, 'sub', 'link.json'));
symlinkSync('.', join(dir, 'sub', 'here'));
linkSync(join(dir, 'sub', 'job.json'), join(dir, 'sub', 'hard.json'));

test('task job.json with --output naming job.json in any spelling, with and without --force: refused before it runs, the job kept', () => {
  const spellings = ['job.json', './job.json', join(dir, 'sub', 'job.json'), 'link.json', 'here/job.json', '../sub/job.json', 'hard.json'];
  for (const input of ['job.json', 'link.json', './here/job.json']) {
    for (const out of spellings) {
      for (const force of [[], ['--force']]) {
        const r = run('task', input, '--output', out, ...force);
        assert.equal(r.status, 2, `${input} -o ${out} ${force}: ${r.stdout}${r.stderr}`);
        const doc = JSON.parse(r.stdout);
        assert.equal(doc.ok, false);
        assert.equal(doc.error.code, 'invalid-input');
        assert.equal(doc.operation, 'errno');
        assert.match(doc.error.message, /^--output \(.*\) names the task file itself \(.*\): the result would replace the task; choose another --output$/);
        assert.equal(readFileSync(join(dir, 'sub', 'job.json'), 'utf8'), JOB, `${input} -o ${out} ${force}: the job was replaced`);
      }
    }
  }
});

test('another --output beside the task file is written', () => {
  const r = run('task', 'job.json', '--output', 'result.json', '--force');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(JSON.parse(readFileSync(join(dir, 'sub', 'result.json'), 'utf8')).operation, 'errno');
  assert.equal(readFileSync(join(dir, 'sub', 'job.json'), 'utf8'), JOB);
});

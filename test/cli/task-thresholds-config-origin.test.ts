// `sockscope task` with a config file's `thresholds: {closeWaitCritical: 20}` and a task's {closeWaitCount: 50} said
// "invalid analyze input: ... (options.config.thresholds)": a library option the CLI user never wrote, and "input"
// where every other task schema failure says "invalid analyze task:". It names the config file the other level came
// from, and says "task"; a library caller (runTask, analyze with options.config) keeps the library's words.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTask, InvalidInputError } from '../../src/index.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'sockscope-task-thr-'));
after(() => rmSync(root, { recursive: true, force: true }));
const home = join(root, 'home');
const cwd = join(root, 'project');
mkdirSync(home);
mkdirSync(cwd);
const yaml = join(cwd, 'sockscope.yaml');
writeFileSync(yaml, 'thresholds:\n  closeWaitCritical: 20\n');
const RULE = 'a warning level must not be above its critical level';

const task = (doc: object) => {
  writeFileSync(join(cwd, 't.json'), JSON.stringify(doc));
  const r = spawnSync(BIN, ['task', 't.json'], { cwd, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH, HOME: home, NO_COLOR: '1' } });
  assert.equal(r.status, 2, r.stdout + r.stderr);
  return JSON.parse(r.stdout).error as { code: string; message: string; issues: { path: string; message: string }[] };
};

test('task analyze / analyze-states: a threshold that contradicts the config file names the file, as a task failure', () => {
  for (const operation of ['analyze', 'analyze-states']) {
    const e = task({ operation, port: 9, thresholds: { closeWaitCount: 50 } });
    assert.equal(e.code, 'invalid-input');
    const message = `50 is above closeWaitCritical 20 (from ${yaml}): ${RULE}`;
    assert.equal(e.message, `invalid ${operation} task: thresholds.closeWaitCount: ${message}`);
    assert.deepEqual(e.issues, [{ path: 'thresholds.closeWaitCount', message }]);
    // Both levels in the task: the other one is the task's.
    const both = task({ operation, port: 9, thresholds: { closeWaitCount: 500, closeWaitCritical: 100 } });
    assert.equal(both.message, `invalid ${operation} task: thresholds.closeWaitCount: 500 is above closeWaitCritical 100 (the task): ${RULE}`);
  }
});

test('library runTask keeps the library words: options.config.thresholds', async () => {
  await assert.rejects(
    runTask({ operation: 'analyze', port: 9, thresholds: { closeWaitCount: 50 } }, { config: { thresholds: { closeWaitCritical: 20 } } }),
    (e) => e instanceof InvalidInputError && e.message === `invalid analyze input: thresholds.closeWaitCount: 50 is above closeWaitCritical 20 (options.config.thresholds): ${RULE}`,
  );
});

// The library and the generate-server task name the directories a write created, as `generate-server --json
// --output` does since 17d1c791 (user review s26 wizard #4): `createdDirectories`, absolute, outermost first, []
// when none. They returned `written` only, so the task's result was not the command's --json document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateServerFiles } from '../../src/index.js';
import { GenerateServerReportSchema } from '../../src/api/result-schemas.js';
import { BIN } from '../collect/getsockopt-helpers.js';

test('generateServerFiles, the task and the command name the directories they created', { timeout: 60_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-created-dirs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lib = generateServerFiles({ language: 'python', output: join(dir, 'lib1/lib2/srv.py') });
  assert.deepEqual(lib.createdDirectories, [join(dir, 'lib1'), join(dir, 'lib1/lib2')]);
  assert.deepEqual(generateServerFiles({ language: 'python', output: join(dir, 'lib1/other.py') }).createdDirectories, []);
  GenerateServerReportSchema.parse(lib);

  const run = (args: string[]) => {
    const r = spawnSync(BIN, args, { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  const cli = run(['generate-server', '--language', 'python', '--output', 'cli1/cli2/srv.py', '--json']);
  assert.deepEqual(cli.createdDirectories, [join(dir, 'cli1'), join(dir, 'cli1/cli2')]);
  writeFileSync(join(dir, 'task.json'), JSON.stringify({ operation: 'generate-server', language: 'python', output: 'task1/task2/srv.py' }));
  const task = run(['task', 'task.json']).result as Record<string, unknown>;
  assert.deepEqual(task.createdDirectories, [join(dir, 'task1'), join(dir, 'task1/task2')]);
  GenerateServerReportSchema.parse(task);
  assert.deepEqual(Object.keys(task).sort(), Object.keys(cli).sort(), 'the task result has the command\'s keys');
});

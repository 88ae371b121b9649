// The current directory removed after sockscope entered it: /proc/self/cwd's link then reads "/DIR (deleted)", a
// name that never existed (and may be another directory's: a sibling "gone (deleted)" is made here). The project
// files were reported under it; now under the directory's own former name, not found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFileRefs, currentDirectory, projectConfigPaths } from '../../src/config/resolve.js';

test('a current directory removed since: its former name, never "(deleted)"; its project files are not found', () => {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-cwdgone-'));
  const before = process.cwd();
  try {
    mkdirSync(join(root, 'home'));
    const gone = join(root, 'gone');
    mkdirSync(gone);
    mkdirSync(join(root, 'gone (deleted)'));
    writeFileSync(join(root, 'gone (deleted)', 'sockscope.yaml'), 'bufferSize: 4096\n');
    process.chdir(gone);
    assert.equal(currentDirectory(), gone);
    rmdirSync(gone);
    assert.equal(currentDirectory(), gone);
    assert.deepEqual(projectConfigPaths(), { skill: join(gone, '.babysitter', 'skills', 'socket-programming.yaml'), sockscope: join(gone, 'sockscope.yaml') });
    const files = configFileRefs({ env: { HOME: join(root, 'home') } });
    assert.deepEqual(
      files.map((f) => [f.path, f.found]),
      [
        [join(root, 'home', '.config', 'sockscope', 'config.yaml'), false],
        [join(gone, '.babysitter', 'skills', 'socket-programming.yaml'), false],
        [join(gone, 'sockscope.yaml'), false],
      ],
    );
  } finally {
    process.chdir(before);
    rmSync(root, { recursive: true, force: true });
  }
});

// generateServer's second argument and generateServerFiles' directory output go through the shared code (api/errors.ts
// parseInput with argument "options", codegen/output-target.ts directoryOutputMessage with field "output"): the messages
// the library gave before, word for word, next to the CLI's for the same directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateServer, generateServerFiles } from '../../src/api/generate.js';
import { InvalidInputError } from '../../src/api/errors.js';
import { directoryOutputMessage } from '../../src/codegen/output-target.js';

test('generateServer: a bad second argument says "invalid generateServer options", paths under options', () => {
  assert.throws(
    () => generateServer({}, { output: 42, confg: {} } as never),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      e.code === 'invalid-input' &&
      e.message === 'invalid generateServer options: options.output: Invalid input: expected string, received number; options.confg: unknown field "confg"' &&
      e.issues.map((i) => i.path).join(',') === 'options.output,options.confg',
    'message',
  );
});

test('generateServerFiles: an output that is a directory, in the library\'s words (output, a path inside it), both shapes', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-gen-dir-'));
  const cwd = process.cwd();
  process.chdir(dir);
  t.after(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  });
  mkdirSync('sub');
  const want = 'sub is a directory; output names the file to write (a path inside it, e.g. sub/server.py)';
  for (const [input, path] of [
    [{ language: 'python', output: 'sub' }, 'output'],
    [{ operation: 'generate', type: 'tcp-server', config: { language: 'python', output: 'sub' } }, 'config.output'],
  ] as const) {
    assert.throws(
      () => generateServerFiles(input as never),
      (e: unknown) => e instanceof InvalidInputError && e.message === want && e.issues.length === 1 && e.issues[0].path === path && e.issues[0].message === want,
      path,
    );
  }
  // The CLI's and the wizard's words for it are unchanged.
  assert.equal(directoryOutputMessage('sub', 'python'), 'sub is a directory; --output names the file to write (e.g. sub/server.py)');
});

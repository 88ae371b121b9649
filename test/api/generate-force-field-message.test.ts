// README, Library: messages name the library's fields, not the command line's flags. A C server's output that is a
// device (or a new name under /dev) was refused by the generator itself (codegen/render.ts), in the CLI's words:
// "/dev/null is a character device, not a file; it is never replaced, not even with --force (choose another output)",
// where the writers' refusal of a Python or Node output says `"force": true` (user review s26, task/library #4).
// Real files: /dev/null, and a new name under /dev that is never created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { generateServer, generateServerFiles, InvalidInputError } from '../../src/index.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const DEVICE = '/dev/null is a character device, not a file; it is never replaced, not even with "force": true (choose another output)';

test('library: a C server to /dev/null (with force, or a new name under /dev) is refused naming "force": true, not --force', () => {
  for (const call of [() => generateServerFiles({ output: '/dev/null', force: true }), () => generateServerFiles({ language: 'c', output: '/dev/null' }), () => generateServer({}, { output: '/dev/null' })]) {
    assert.throws(call, (e) => e instanceof InvalidInputError && e.message === DEVICE && e.issues.length === 1 && e.issues[0].path === 'output' && e.issues[0].message === DEVICE);
  }
  const fresh = `/dev/sockscope-force-field-${process.pid}`;
  assert.throws(
    () => generateServerFiles({ output: fresh, force: true }),
    (e) => e instanceof InvalidInputError && !e.message.includes('--force') && e.message.includes('not even with "force": true'),
  );
  assert.equal(existsSync(fresh), false);
  // The automation shape: config.output, and force beside config.
  assert.throws(
    () => generateServerFiles({ operation: 'generate', type: 'tcp-server', config: { output: '/dev/null' }, force: true }),
    (e) => e instanceof InvalidInputError && e.message === DEVICE && e.issues[0].path === 'config.output',
  );
});

test('sockscope task generate-server to /dev/null with force: the message says "force": true, as for Python', () => {
  for (const language of ['c', 'python']) {
    const r = spawnSync(BIN, ['task', '-'], { input: JSON.stringify({ operation: 'generate-server', language, output: '/dev/null', force: true }), encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.equal(JSON.parse(r.stdout).error.message, DEVICE, language);
  }
});

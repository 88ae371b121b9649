// The built `sockscope task` (bin/sockscope -> dist/cli.js):
// - a failure before the task runs names the operation the input named (TaskFailure.operation: "The operation,
//   when the input named a known one", as executeTask's own failures do): a bad ./sockscope.yaml (config-error) and
//   an existing --output (output-exists) left it out, since the input was read only after those checks.
// - a deeply nested errno `code` or `operation` is invalid input (exit 2, issue at the field), not
//   "Maximum call stack size exceeded" (runtime-error, exit 1): messages quote bad values briefly (briefValue).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-task-failure-op-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function task(cwd: string, input: string, args: string[] = []) {
  const { DEFAULT_BUFFER_SIZE: _d, SOCKET_DEBUG: _s, ...env } = process.env;
  const r = spawnSync(process.execPath, [BIN, 'task', '-', ...args], { cwd, input, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024, env: { ...env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, doc: JSON.parse(r.stdout) };
}

test('a config-error names the operation the task named; an unknown one is not named', () => {
  const cwd = join(dir, 'config');
  mkdirSync(cwd);
  writeFileSync(join(cwd, 'sockscope.yaml'), 'bufferSize: 1\n');
  const r = task(cwd, '{"operation":"errno","code":"EPIPE"}');
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.equal(r.doc.error.code, 'config-error');
  assert.equal(r.doc.operation, 'errno');
  const unknown = task(cwd, '{"operation":"nope"}');
  assert.equal(unknown.status, 2);
  assert.equal(unknown.doc.error.code, 'config-error');
  assert.equal('operation' in unknown.doc, false);
});

test('output-exists names the operation the task named', () => {
  const cwd = join(dir, 'output');
  mkdirSync(cwd);
  writeFileSync(join(cwd, 'res.json'), '{}');
  const r = task(cwd, '{"operation":"errno","code":"EPIPE"}', ['--output', 'res.json']);
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.equal(r.doc.error.code, 'output-exists');
  assert.equal(r.doc.operation, 'errno');
  const notJson = task(cwd, '{', ['--output', 'res.json']);
  assert.equal(notJson.status, 2);
  assert.equal(notJson.doc.error.code, 'invalid-json');
  assert.equal('operation' in notJson.doc, false);
});

test('a 5,000-deep errno code and a 10,000-deep operation: invalid-input at the field, exit 2', () => {
  const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const code = task(dir, `{"operation":"errno","code":${nest(5000)}}`);
  assert.equal(code.status, 2, code.stdout.slice(0, 300));
  assert.equal(code.doc.error.code, 'invalid-input');
  assert.equal(code.doc.error.issues[0].path, 'code');
  const op = task(dir, `{"operation":${nest(10000)}}`);
  assert.equal(op.status, 2, op.stdout.slice(0, 300));
  assert.equal(op.doc.error.code, 'invalid-input');
  assert.equal(op.doc.error.issues[0].path, 'operation');
  const long = task(dir, JSON.stringify({ operation: 'x'.repeat(1e7) }));
  assert.equal(long.status, 2);
  assert.ok(long.stdout.length < 4096, `${long.stdout.length} bytes`);
});

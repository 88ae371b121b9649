// Generator errors name the field the caller wrote (review-api defect 5): a directory output in the automation shape
// was invalid-options at path "" (now invalid-input at config.output), an existing file was at `output` for the
// generate operation (config.output), node with sndbuf was at "" (sndbuf), and the directory message ended with an
// unfilled "e.g. adir/server..." (now the real file name).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeTask } from '../../src/api/task.js';
import { generateServer } from '../../src/api/generate.js';
import { InvalidInputError } from '../../src/api/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'sockscope-gen-paths-'));
mkdirSync(join(dir, 'dirx'));
writeFileSync(join(dir, 'exist.c'), 'x');
after(() => rmSync(dir, { recursive: true, force: true }));

async function failed(task: unknown): Promise<{ code: string; message: string; issues: { path: string; message: string }[] }> {
  const { exitCode, document } = await executeTask(task);
  assert.equal(exitCode, 2, JSON.stringify(document));
  assert.equal(document.ok, false);
  return (document as { error: { code: string; message: string; issues: { path: string; message: string }[] } }).error;
}

test('generate with a directory path as config.output: invalid-input at config.output', async () => {
  const e = await failed({ operation: 'generate', config: { output: join(dir, 'dirx/') } });
  assert.equal(e.code, 'invalid-input');
  assert.deepEqual(e.issues.map((i) => i.path), ['config.output']);
  assert.match(e.message, /dirx\/server\.c/);
  const s = await failed({ operation: 'generate-server', output: join(dir, 'dirx/') });
  assert.equal(s.code, 'invalid-input');
  assert.deepEqual(s.issues.map((i) => i.path), ['output']);
  // The library function too.
  assert.throws(() => generateServer({}, { output: 'dirx/' }), (x: unknown) => x instanceof InvalidInputError && x.code === 'invalid-input' && x.issues[0].path === 'output');
});

test('an existing directory as output: the message names the real file name, at the field as written', async () => {
  const e = await failed({ operation: 'generate', config: { output: join(dir, 'dirx'), language: 'python' } });
  assert.deepEqual(e.issues.map((i) => i.path), ['config.output']);
  assert.ok(e.message.endsWith(`e.g. ${join(dir, 'dirx')}/server.py)`), e.message);
  assert.doesNotMatch(e.message, /\.\.\./);
  const s = await failed({ operation: 'generate-server', language: 'node', output: join(dir, 'dirx') });
  assert.deepEqual(s.issues.map((i) => i.path), ['output']);
  assert.ok(s.message.endsWith('/dirx/server.mjs)'), s.message);
});

test('an existing file: file-exists at config.output for generate, output for generate-server', async () => {
  const e = await failed({ operation: 'generate', config: { output: join(dir, 'exist.c') } });
  assert.equal(e.code, 'file-exists');
  assert.deepEqual(e.issues.map((i) => i.path), ['config.output']);
  const s = await failed({ operation: 'generate-server', output: join(dir, 'exist.c') });
  assert.equal(s.code, 'file-exists');
  assert.deepEqual(s.issues.map((i) => i.path), ['output']);
});

test('node with sndbuf/rcvbuf names the field given; with the throughput profile, profile', async () => {
  const e = await failed({ operation: 'generate-server', language: 'node', sndbuf: 4096 });
  assert.equal(e.code, 'invalid-options');
  assert.deepEqual(e.issues.map((i) => i.path), ['sndbuf']);
  const both = await failed({ operation: 'generate', config: { language: 'node', sndbuf: 4096, rcvbuf: 4096 } });
  assert.deepEqual(both.issues.map((i) => i.path), ['config.sndbuf', 'config.rcvbuf']);
  const p = await failed({ operation: 'generate-server', language: 'node', profile: 'throughput' });
  assert.deepEqual(p.issues.map((i) => i.path), ['profile']);
});

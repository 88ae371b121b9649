// The task document's schema and error classification (pure): both generate shapes, every operation name,
// error issues with paths, exit codes per error kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTask, classifyError, executeTask, TASK_OPERATIONS, TaskInputSchema } from '../../src/api/task.js';
import { InvalidInputError } from '../../src/api/errors.js';
import { CollectorError } from '../../src/collect/source.js';
import { UsageError } from '../../src/cli/errors.js';

function issuesOf(raw: unknown): { path: string; message: string }[] {
  try {
    parseTask(raw);
  } catch (e) {
    assert.ok(e instanceof InvalidInputError, String(e));
    return e.issues;
  }
  assert.fail(`accepted ${JSON.stringify(raw)}`);
}

test('the shapes automation already sends are accepted as they are', () => {
  const a = parseTask({ operation: 'generate', type: 'tcp-server', config: { port: 8080, backlog: 128, nonBlocking: true, tcpNodelay: false } });
  assert.equal(a.operation, 'generate');
  const b = parseTask({ operation: 'generate-server', type: 'tcp', port: 8080, language: 'python', ioModel: 'asyncio', bufferSize: 8192 });
  assert.equal(b.operation, 'generate-server');
  assert.equal(parseTask({ operation: 'generate' }).operation, 'generate');
  // Every operation has a variant in the union.
  const minimal: Record<string, object> = {
    analyze: {},
    'analyze-states': { port: 80 },
    'generate-server': {},
    generate: {},
    'inspect-options': { port: 80 },
    'debug-connections': { address: '127.0.0.1:80' },
    errno: { code: 104 },
    options: { name: 'SO_RCVBUF' },
    buffers: { bandwidth: '1gbit', rtt: '1ms' },
  };
  for (const op of TASK_OPERATIONS) assert.ok(TaskInputSchema.safeParse({ operation: op, ...minimal[op] }).success, op);
});

test('problems are listed with their paths, all at once', () => {
  assert.deepEqual(issuesOf({ operation: 'generate', type: 'tcp-server', config: { port: -1, backlog: 'x' } }).map((i) => i.path).sort(), ['config.backlog', 'config.port']);
  assert.deepEqual(issuesOf({ operation: 'inspect-options', options: [1] }).map((i) => i.path), ['options[0]']);
  assert.deepEqual(issuesOf({ operation: 'errno' }), [{ path: 'code', message: 'required' }]);
  assert.deepEqual(issuesOf({ operation: 'buffers', rtt: '1ms', bw: '1gbit' }), [{ path: 'bw', message: 'unknown field "bw"' }]);
  assert.deepEqual(issuesOf({ operation: 'generate', config: { prot: 80 } }), [{ path: 'config.prot', message: 'unknown field "prot"' }]);
  assert.equal(issuesOf({ operation: 'ANALYZE' })[0].path, 'operation');
  assert.equal(issuesOf(null)[0].path, '');
  assert.equal(issuesOf('analyze')[0].path, '');
});

test('exit codes: bad input 2, runtime failures 1', async () => {
  assert.equal(classifyError(new InvalidInputError('x')).exitCode, 2);
  assert.equal(classifyError(new UsageError('x')).exitCode, 2);
  assert.equal(classifyError(new CollectorError('ss', 'ss not found')).exitCode, 1);
  assert.equal(classifyError(new Error('boom')).code, 'runtime-error');
  const r = await executeTask({ operation: 'errno', code: 'EPIPE' });
  assert.equal(r.exitCode, 0);
  assert.equal(r.document.ok, true);
  const bad = await executeTask({ operation: 'errno', code: 'NOT_AN_ERRNO_AT_ALL' });
  assert.equal(bad.exitCode, 2);
  assert.equal(bad.document.ok, false);
  if (!bad.document.ok) assert.equal(bad.document.error.code, 'unknown-errno');
});

test('analyze thresholds: known names only, values in their kind\'s range', () => {
  assert.ok(TaskInputSchema.safeParse({ operation: 'analyze', port: 80, thresholds: { closeWaitCount: 1 } }).success);
  const unknown = issuesOf({ operation: 'analyze', thresholds: { closeWaitCont: 5 } });
  assert.equal(unknown[0].path, 'thresholds.closeWaitCont');
  assert.match(unknown[0].message, /unknown threshold \(did you mean closeWaitCount\?\)/);
  assert.equal(issuesOf({ operation: 'analyze-states', thresholds: { closeWaitCount: -1 } })[0].path, 'thresholds.closeWaitCount');
});

const FIXTURES = new URL('../fixtures/task/', import.meta.url).pathname;
const EXPECTED_PATHS: Record<string, { code: string; path: string }> = {
  'generate-port-range.json': { code: 'invalid-input', path: 'config.port' },
  'generate-type.json': { code: 'invalid-input', path: 'type' },
  'inspect-two-targets.json': { code: 'invalid-input', path: '' },
  'operation-case.json': { code: 'invalid-input', path: 'operation' },
  'trailing-comma.json': { code: 'invalid-json', path: '' },
  'buffers-bandwidth-number.json': { code: 'invalid-input', path: 'bandwidth' },
  'errno-platform.json': { code: 'invalid-input', path: 'platform' },
};

test('fixtures: every valid/ task parses; every invalid/ one fails with its code and path', async () => {
  const { readdirSync } = await import('node:fs');
  const { readTaskFile } = await import('../../src/api/task-input.js');
  const valid = readdirSync(FIXTURES + 'valid');
  assert.ok(valid.length >= 10);
  for (const f of valid) parseTask(readTaskFile(FIXTURES + 'valid/' + f));
  const invalid = readdirSync(FIXTURES + 'invalid');
  assert.deepEqual(invalid.sort(), Object.keys(EXPECTED_PATHS).sort());
  for (const f of invalid) {
    try {
      parseTask(readTaskFile(FIXTURES + 'invalid/' + f));
      assert.fail(`${f} was accepted`);
    } catch (e) {
      assert.ok(e instanceof InvalidInputError, `${f}: ${e}`);
      assert.equal(e.code, EXPECTED_PATHS[f].code, f);
      assert.equal(e.issues[0].path, EXPECTED_PATHS[f].path, `${f}: ${JSON.stringify(e.issues)}`);
    }
  }
});

test('--output checks: a dangling symbolic link exists (lstat), a directory is refused even with force; write errors name the file once', async () => {
  const { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, lstatSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { checkOutputFree, writeTaskResult, TaskOutputError } = await import('../../src/api/task-output.js');
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-task-out-'));
  try {
    const dangling = join(dir, 'dl.json');
    symlinkSync(join(dir, 'nowhere', 'target.json'), dangling);
    // existsSync follows the link and says false: the task ran, then link() found the name taken.
    assert.throws(() => checkOutputFree(dangling, false), (e: unknown) => e instanceof InvalidInputError && e.code === 'output-exists' && /dl\.json already exists; pass --force/.test(e.message));
    checkOutputFree(dangling, true);
    checkOutputFree(join(dir, 'free.json'), false);
    // --force replaces the link itself with the result, and does not create its target.
    writeTaskResult(dangling, { ok: false, error: { code: 'x', message: 'y', issues: [] } }, true);
    assert.ok(lstatSync(dangling).isFile());
    assert.equal(JSON.parse(readFileSync(dangling, 'utf8')).error.code, 'x');

    const sub = join(dir, 'sub');
    mkdirSync(sub);
    for (const force of [false, true]) assert.throws(() => checkOutputFree(sub, force), (e: unknown) => e instanceof InvalidInputError && e.code === 'output-exists' && e.message.includes('is a directory'));
    // The write itself against a directory (what --force did before the check): rename's EISDIR in words, without the temporary name.
    assert.throws(
      () => writeTaskResult(sub, { ok: false, error: { code: 'x', message: 'y', issues: [] } }, true),
      (e: unknown) => e instanceof TaskOutputError && e.message === `cannot write ${sub}: it is a directory`,
    );
    // The writer's own message already names the file: not repeated.
    assert.throws(
      () => writeTaskResult('/proc/x.json', { ok: false, error: { code: 'x', message: 'y', issues: [] } }, false),
      (e: unknown) => e instanceof TaskOutputError && e.message.startsWith('cannot write /proc/x.json: ') && e.message.split('/proc/x.json').length === 2,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The options task and the library's describeOption() return the document `sockscope options NAME --json`
// prints: with `foreignName` when NAME is another platform's name (TCP_KEEPALIVE is macOS's name for Linux's
// TCP_KEEPIDLE, SO_EXCLUSIVEADDRUSE Windows'). The task result stopped at seeAlso, and its schema
// (TASK_RESULT_SCHEMAS.options, SocketOptionInfoSchema) stripped foreignName from a parsed document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { executeTask } from '../../src/api/task.js';
import { describeOption } from '../../src/api/knowledge.js';
import { TASK_RESULT_SCHEMAS, TaskDocumentSchema } from '../../src/api/result-schemas.js';

const cliJson = (name: string): unknown => {
  const r = spawnSync('bin/sockscope', ['options', name, '--json'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
};

for (const name of ['TCP_KEEPALIVE', 'SO_EXCLUSIVEADDRUSE', 'TCP_MAXRT', 'IPV6_V6ONLY', 'TCP_NODELAY', 'nodelay']) {
  test(`options ${name}: task result = library describeOption = CLI --json`, async () => {
    const cli = cliJson(name);
    const { exitCode, document } = await executeTask({ operation: 'options', name });
    assert.equal(exitCode, 0, JSON.stringify(document));
    assert.ok(document.ok);
    assert.deepEqual(document.result, cli);
    assert.deepEqual(describeOption(name), cli);
    assert.deepEqual(describeOption({ name }), cli);
    // The schema keeps foreignName (a zod object drops keys it does not declare).
    assert.deepEqual(TASK_RESULT_SCHEMAS.options.parse(document.result), cli);
    assert.deepEqual(TaskDocumentSchema.parse(document), document);
  });
}

test('TCP_KEEPALIVE and SO_EXCLUSIVEADDRUSE carry foreignName in the task result; a Linux name does not', async () => {
  for (const name of ['TCP_KEEPALIVE', 'SO_EXCLUSIVEADDRUSE']) {
    const { document } = await executeTask({ operation: 'options', name });
    assert.ok(document.ok && document.operation === 'options');
    assert.equal(document.result.foreignName?.name, name);
    assert.match(document.result.foreignName?.note ?? '', new RegExp(name));
    assert.ok((document.result.foreignName?.uses.length ?? 0) > 0);
  }
  const { document } = await executeTask({ operation: 'options', name: 'TCP_KEEPIDLE' });
  assert.ok(document.ok && document.operation === 'options');
  assert.equal('foreignName' in document.result, false);
});

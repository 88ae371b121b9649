// analyze / analyze-states ask for targeted attribution through their collect options, not a process-wide switch.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeCommand } from '../../src/cli/commands/analyze.js';
import { reportCollectOptions } from '../../src/cli/report-command.js';
import { attributeWith, setAttributor, type AttributeCallOptions } from '../../src/collect/attribution.js';
import { ProcfsSource } from '../../src/collect/procfs.js';

// Every collector's calls to the shared attributor, with the options they pass.
const calls: { scope: string; opts: AttributeCallOptions | undefined }[] = [];
// The cached attributor processes.ts registered (imported through the CLI), put back afterwards.
const registered = await attributeWith();
setAttributor(async (_sockets, scope, opts) => {
  calls.push({ scope, opts });
  return { scope, complete: true, hiddenProcesses: 0 };
});
after(() => setAttributor(registered));

test('reportCollectOptions keeps the command options and adds targeted attribution', () => {
  const opts = reportCollectOptions(({ port }) => ({ port, processes: 'all', details: true }), { port: 8080 });
  assert.deepEqual(opts, { port: 8080, processes: 'all', details: true, attribution: 'targeted' });
});

test('analyze --port collects with attribution: targeted and the collector passes it to the attributor', async () => {
  calls.length = 0;
  const write = process.stdout.write;
  let out = '';
  // printJson writes one string; the test runner's own messages (buffers) go through.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== 'string') return write.call(process.stdout, chunk, ...rest);
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    await analyzeCommand.handler!({ port: 1, json: true, source: 'procfs', samples: '1', 'sample-interval': '1s', _: [], $0: 'sockscope' } as never);
  } finally {
    process.stdout.write = write;
  }
  assert.equal(JSON.parse(out).port, 1);
  assert.deepEqual(calls, [{ scope: 'all', opts: { reach: 'targeted' } }]);
});

test('no switch is left behind: a collection after analyze asks for the default reach', async () => {
  calls.length = 0;
  await new ProcfsSource().collect({ protocols: ['tcp'] });
  assert.deepEqual(calls, [{ scope: 'listeners', opts: { reach: undefined } }]);
});

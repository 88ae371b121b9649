// The library's options.config.source is the collector of every call that reads sockets when the input names none
// (README Library API: `{config: loadConfig().config}` is what the command line applies; sockscope task: the
// task's `source`, else --source, else the config file's `source`). It was validated and then thrown away:
// analyze, analyzeStates, sizeBuffers and runTask with {config: {source: 'procfs'}} read with netlink.
// A real listener on loopback; each report says which collector read it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, analyzeStates } from '../../src/api/host.js';
import { sizeBuffers } from '../../src/api/buffers.js';
import { executeTask, runTask } from '../../src/api/task.js';
import { loadConfig } from '../../src/api/config.js';

async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  return { server, port: (server.address() as { port: number }).port };
}

test('options.config.source chooses the collector of analyze, analyzeStates, sizeBuffers and every collecting task', async () => {
  const { server, port } = await listen();
  try {
    const options = { config: { source: 'procfs' as const } };
    assert.equal((await analyze({ port }, options)).source, 'procfs');
    assert.equal((await analyzeStates({ port }, options)).source, 'procfs');
    assert.equal((await sizeBuffers({ port }, options)).source, 'procfs');
    const states = await runTask({ operation: 'analyze-states', port }, options);
    assert.equal(states.result.source, 'procfs');
    assert.equal((await runTask({ operation: 'analyze', port }, options)).result.source, 'procfs');
    assert.equal((await runTask({ operation: 'buffers', port }, options)).result.source, 'procfs');
    const ex = await executeTask({ operation: 'analyze', port }, options);
    assert.equal(ex.document.ok && ex.document.operation === 'analyze' && ex.document.result.source, 'procfs');
    const dbg = await runTask({ operation: 'debug-connections', address: `127.0.0.1:${port}`, timeoutMs: 2000 }, options);
    assert.equal(dbg.result.existingSource, 'procfs');
    // An explicit source in the call or the document is over the configured one.
    assert.equal((await analyze({ port, source: 'netlink' }, options)).source, 'netlink');
    assert.equal((await runTask({ operation: 'analyze-states', port, source: 'netlink' }, options)).result.source, 'netlink');
    assert.equal((await sizeBuffers({ port, source: 'netlink' }, options)).source, 'netlink');
    // No options: auto (netlink here), as before.
    assert.equal((await analyze({ port })).source, 'netlink');
  } finally {
    server.close();
  }
});

test('{config: loadConfig().config} reads with the config file\'s source, as the command line does', async () => {
  const { server, port } = await listen();
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-cfgsrc-'));
  writeFileSync(join(dir, 'sockscope.yaml'), 'source: procfs\n');
  try {
    const c = loadConfig({ cwd: dir, env: {} }).config;
    assert.equal(c.source, 'procfs');
    assert.equal((await runTask({ operation: 'analyze-states', port }, { config: c })).result.source, 'procfs');
    assert.equal((await analyze({ port }, { config: c })).source, 'procfs');
  } finally {
    server.close();
  }
});

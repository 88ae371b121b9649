// Two real SO_REUSEPORT listeners on one address:port: the exporter sums their queues and backlogs and
// keeps the full one visible. A gauge set once per listener kept only the last one (queue 3 of backlog 5
// exported where ss -ltn showed 3/9 and 3/5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSource } from '../../src/collect/index.js';
import { startExporter } from '../../src/export/server.js';
import { waitFor } from '../helpers/free-port.js';

const HELPER = new URL('./reuseport-helper.py', import.meta.url).pathname;

interface Held {
  port: number;
  listeners: { queue: number; backlog: number }[];
}

test('export: SO_REUSEPORT listeners on one address:port are summed, and the full one is counted and its fill exported', { timeout: 60_000 }, async (t) => {
  const child = spawn('python3', [HELPER], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  const held = await new Promise<Held>((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve(JSON.parse(String(d).split('\n')[0]) as Held));
    child.once('exit', (c) => reject(new Error(`reuseport helper exited ${c}`)));
  });
  const [small, big] = held.listeners;
  assert.deepEqual([small.backlog, big.backlog], [2, 64], 'the kernel reports both backlogs');
  assert.equal(small.queue, 3, 'the small listener is full (backlog + 1)');

  const exporter = await startExporter({ source: createSource('auto'), host: '127.0.0.1', port: 0, intervalMs: 200 });
  t.after(() => exporter.close());
  await exporter.ready;
  const labels = `{protocol="tcp",port="${held.port}",address="127.0.0.1"}`;
  const body = await waitFor('the listeners in /metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${exporter.address.port}/metrics`)).text();
    return text.includes(`sockscope_listen_accept_queue${labels}`) ? text : undefined;
  });
  const value = (name: string) => {
    const line = body.split('\n').filter((l) => l.startsWith(`${name}${labels} `));
    assert.equal(line.length, 1, `one ${name} series for the address:port:\n${body}`);
    return Number(line[0].split(' ')[1]);
  };
  assert.equal(value('sockscope_listen_backlog'), small.backlog + big.backlog);
  assert.equal(value('sockscope_listen_accept_queue'), small.queue + big.queue);
  assert.equal(value('sockscope_listen_sockets'), 2);
  // The sum alone reads 3 + k of 66 (far from full) while connections hashed to the small one are dropped.
  assert.equal(value('sockscope_listen_full_sockets'), big.queue > big.backlog ? 2 : 1);
  assert.equal(value('sockscope_listen_accept_queue_fill_max'), Math.max(small.queue / (small.backlog + 1), big.queue / (big.backlog + 1)));
});

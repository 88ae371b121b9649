// `sockscope --port P | cat` (the plain one-shot table) on a port whose sockets a process holds but that has no
// listener: CLOSE_WAIT connections left after the listener was closed, as a leaking server leaves them. The plain
// path collected only listeners' processes, so its PROCESS cell read '-' (no process holds it) while --json,
// which collects every owner, named python3. With --port both name the process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startPythonHolder } from '../helpers/python-holder.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

// Three accepted connections whose clients closed, then the listener closed: CLOSE_WAIT, still held by python3.
const HOLDER = String.raw`
import json, os, socket, sys
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(16)
p = l.getsockname()[1]
cs, ss = [], []
for i in range(3):
    c = socket.socket(); c.connect(('127.0.0.1', p)); cs.append(c); ss.append(l.accept()[0])
l.close()
for c in cs: c.close()
print(json.dumps({'pid': os.getpid(), 'port': p}), flush=True)
sys.stdin.read()
`;

test('--port P, plain: a port with CLOSE_WAIT connections and no listener names the process that holds them, as --json does', { timeout: 60_000 }, async (t) => {
  const h = await startPythonHolder<{ pid: number; port: number }>(t, HOLDER);
  await new Promise((r) => setTimeout(r, 200)); // the clients' FINs reach the accepted sockets
  const run = (...args: string[]) => spawnSync(BIN, [...args, '--port', String(h.port), '--tcp'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  const json = run('--json');
  assert.equal(json.status, 0, json.stderr);
  const doc = JSON.parse(json.stdout) as { ports: { port: number; states: Record<string, number>; listeners: unknown[]; processes: { pid: number; name: string }[] }[] };
  const entry = doc.ports.find((p) => p.port === h.port);
  assert.equal(entry?.states.CLOSE_WAIT, 3, json.stdout);
  assert.deepEqual(entry!.listeners, []);
  assert.deepEqual(entry!.processes.map((p) => [p.name, p.pid]), [['python3', h.pid]]);

  const plain = run(); // stdout is a pipe: the plain table
  assert.equal(plain.status, 0, plain.stderr);
  const row = plain.stdout.split('\n').find((l) => new RegExp(`^\\s*\\S*\\s+${h.port} tcp `).test(l));
  assert.ok(row, plain.stdout);
  assert.match(row!, new RegExp(`python3/${h.pid}\\b`), plain.stdout);
});

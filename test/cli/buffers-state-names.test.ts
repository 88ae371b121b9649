// `sockscope buffers --port P` printed an established connection as `ESTAB` (ss's word) in its table and a closing
// one as `CLOSE_WAIT` (the kernel's), while --json says ESTABLISHED; product.md names states the kernel's way, with
// underscores. The table's state cell is now --json's state for every connection. Real loopback sockets: a server
// on port P with one connection open and one its client closed (CLOSE_WAIT: the server never closes it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

const run = (...args: string[]) => spawnSync('bin/sockscope', args, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1', COLUMNS: '400' } });

const SERVER = String.raw`
const net = require('net');
setTimeout(() => process.exit(0), 60000);
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
const held = [];
const srv = net.createServer({ allowHalfOpen: true }, (c) => { held.push(c); c.on('error', () => {}); c.resume(); });
srv.listen(0, '127.0.0.1', () => {
  const port = srv.address().port;
  const open = net.connect(port, '127.0.0.1', () => {
    const closing = net.connect(port, '127.0.0.1', () => {
      closing.end();
      closing.on('finish', () => setTimeout(() => process.stdout.write(JSON.stringify({ port, pid: process.pid }) + '\n'), 300));
      closing.resume();
    });
  });
  open.on('error', () => {});
});
`;

test('buffers --port: the table names each state as --json does (ESTABLISHED, CLOSE_WAIT)', { timeout: 60_000 }, async (t) => {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => {
    child.stdin!.end();
    child.kill('SIGKILL');
  });
  const line = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout! }).once('line', res);
    setTimeout(() => rej(new Error('server child did not report')), 15_000);
  });
  const { port, pid } = JSON.parse(line) as { port: number; pid: number };
  const json = run('buffers', '--port', String(port), '--json');
  assert.equal(json.status, 0, json.stderr);
  const conns = (JSON.parse(json.stdout).connections as { peer: string; state: string; processes: { pid: number }[] }[]).filter((c) => c.processes.some((p) => p.pid === pid));
  assert.deepEqual(conns.map((c) => c.state).sort(), ['CLOSE_WAIT', 'ESTABLISHED'], json.stdout);

  const text = run('buffers', '--port', String(port));
  assert.equal(text.status, 0, text.stderr);
  const rows = text.stdout.split('\n').filter((l) => l.startsWith('│')).map((l) => l.split('│').slice(1, -1).map((c) => c.trim()));
  const header = rows[0];
  const peer = header.indexOf('peer');
  const state = header.indexOf('state');
  assert.ok(peer >= 0 && state >= 0, text.stdout);
  for (const c of conns) {
    const row = rows.find((r) => r[peer] === c.peer);
    assert.ok(row, `${c.peer} in\n${text.stdout}`);
    assert.equal(row[state], c.state, text.stdout);
  }
  assert.doesNotMatch(text.stdout, /│ ESTAB │/);
});

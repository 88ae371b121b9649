// When `export` cannot listen it says why in one line (review s17 export #2): run as nobody, the first collection
// (started before listen()) finished while the failure was being explained and printed "N processes of other users
// are hidden ... (sockscope_hidden_processes counts them)" before "sockscope: cannot listen on ...", pointing at a
// gauge no endpoint would serve. The hidden line now waits until the server listens, and is not said when it never
// does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { SocketSource } from '../../src/collect/source.js';
import { startExporter } from '../../src/export/server.js';
import { runCliAsync, startCli } from '../helpers/exporter.js';
import { fakeSnapshot } from '../helpers/fake-snapshot.js';
import { requireSetpriv } from '../helpers/socket-holder.js';
import { NOBODY, nobodySkip } from '../helpers/unprivileged.js';

/** The built CLI as nobody (HOME=/tmp: no config file it cannot read), asynchronously: a holder may live in this process. */
const asNobody = (args: string[]) => runCliAsync(args, { file: 'setpriv', pre: [...NOBODY, '--', process.execPath], env: { ...process.env, HOME: '/tmp', NO_COLOR: '1' } });

async function holdPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return { port: (s.address() as { port: number }).port, close: () => new Promise((r) => s.close(() => r())) };
}

test('export as nobody on a privileged port and on a held one: only the cannot-listen line, no hidden-processes line', { skip: nobodySkip, timeout: 90_000 }, async (t) => {
  requireSetpriv();
  const held = await holdPort();
  t.after(() => held.close());
  const start = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
  const ports = [...(start > 1 ? [Math.min(80, start - 1)] : []), held.port];
  for (const port of ports) {
    // Several runs: the first collection and the failure's explanation race.
    for (let i = 0; i < 3; i++) {
      const r = await asNobody(['export', '--listen', `127.0.0.1:${port}`]);
      assert.equal(r.status, 1, r.stderr);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 1, `port ${port}: ${r.stderr}`);
      assert.match(lines[0]!, new RegExp(`^sockscope: cannot listen on 127\\.0\\.0\\.1:${port}: (EACCES|EADDRINUSE): `));
    }
  }
  // Listening, the same user is told once what it cannot see (the line this test keeps away from a failure).
  const free = await holdPort();
  await free.close();
  const { child, stderr: err } = await startCli(['export', '--listen', `127.0.0.1:${free.port}`, '--interval', '200ms'], { file: 'setpriv', pre: [...NOBODY, '--', process.execPath], env: { ...process.env, HOME: '/tmp', NO_COLOR: '1' } });
  t.after(() => child.kill('SIGKILL'));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !/hidden/.test(err())) await new Promise((r) => setTimeout(r, 100));
  const stderr = err();
  assert.match(stderr, /^sockscope export: serving http:\/\/127\.0\.0\.1:\d+\/metrics/m, stderr);
  assert.match(stderr, /^sockscope export: \d+ process(es)? of other users (is|are) hidden: run as root to see them; .*\(sockscope_hidden_processes counts them\)$/m, stderr);
});

test('startExporter: onHidden only once the server listens; never when listen fails', { timeout: 30_000 }, async () => {
  const attribution = { scope: 'all', complete: false, hiddenProcesses: 3, note: '3 processes of other users are hidden: run as root to see them' };
  const source = { name: 'procfs', collect: async () => ({ ...fakeSnapshot(), attribution }) } as unknown as SocketSource;
  const held = await holdPort();
  try {
    const lines: string[] = [];
    await assert.rejects(startExporter({ source, host: '127.0.0.1', port: held.port, intervalMs: 60_000, onHidden: (l) => lines.push(l) }), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE');
    // The collection started before listen() has finished by now.
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(lines, []);
  } finally {
    await held.close();
  }
  // Listening, it is said once (the collection finished before the server listened: said when it does).
  const lines: string[] = [];
  const ex = await startExporter({ source, host: '127.0.0.1', port: 0, intervalMs: 60_000, onHidden: (l) => lines.push(l) });
  try {
    await ex.ready;
    assert.equal(ex.server.listening, true);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^3 processes of other users are hidden/);
  } finally {
    await ex.close();
  }
});

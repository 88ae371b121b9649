// buffers: a connection whose app-limited sample has no average over busy time (a loopback client that sent 1
// byte: bytes_acked 2, no busy time) got the verdict "no average ..., so no BDP and no buffer size" while the
// notes said "Its BDP is computed with the average rate over its busy time instead" (review s23 #4). The note now
// follows the rows: real loopback pair held by python3, read through the built CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holderLine, labelledFds } from '../helpers/holder-line.js';
import { runCli } from '../helpers/run-cli.js';

const HOLDER = `
import socket as S, os, time
l = S.socket(); l.bind(('127.0.0.1', 0)); l.listen(8)
c = S.create_connection(l.getsockname()); a, _ = l.accept()
c.send(b'x'); time.sleep(0.3)
print(os.getpid(), f'port={l.getsockname()[1]}', flush=True)
time.sleep(60)`;

test('an app-limited sample without an average: the note says no BDP, as the row does', { timeout: 60_000 }, async (t) => {
  const h = labelledFds(await holderLine(t, ['python3', '-c', HOLDER]));
  const r = await runCli(['buffers', '--port', String(h.fd.port), '--json']);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { connections: { verdict: string; bdpBytes: number | null; rateSample?: string[] }[]; notes: string[] };
  assert.equal(doc.connections.length, 1, r.stdout);
  const [c] = doc.connections;
  assert.deepEqual(c.rateSample, ['app-limited'], c.verdict);
  assert.match(c.verdict, /no average \(bytes_acked or busy time unknown\), so no BDP/);
  assert.equal(c.bdpBytes, null);
  const note = doc.notes.find((n) => /app-limited delivery rate sample/.test(n));
  assert.ok(note, doc.notes.join('\n'));
  assert.doesNotMatch(note, /BDP is computed with the average/);
  assert.match(note, /It has no average rate either \(bytes_acked or busy time unknown\), so no BDP, and no buffer size/);
});

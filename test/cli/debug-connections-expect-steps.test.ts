// debug-connections --send/--expect against a loopback echo server whose reply lacks the text: the failed verdict had
// no next steps (text: no "Next steps:", --json verdict.nextSteps []) (review s17 #6). So for a server that answers
// nothing to the request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { sockscopeAsync } from '../collect/getsockopt-helpers.js';

async function server(t: { after(fn: () => void): void }, onData: (c: Socket, d: Buffer) => void): Promise<number> {
  const conns = new Set<Socket>();
  const srv = createServer((c) => {
    conns.add(c);
    c.on('data', (d) => onData(c, d));
    c.on('error', () => {});
  });
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  t.after(() => {
    for (const c of conns) c.destroy();
    srv.close();
  });
  return (srv.address() as { port: number }).port;
}

test('a reply without the --expect text: the verdict says what to check next', { timeout: 60_000 }, async (t) => {
  const port = await server(t, (c, d) => c.write(d));
  const args = ['debug-connections', '--address', `127.0.0.1:${port}`, '--send', 'PING\\n', '--expect', 'NOPE'];
  const text = await sockscopeAsync(args);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^Verdict: .*does not contain "NOPE"/m, text.stdout);
  assert.match(text.stdout, /^Next steps:\n {2}- /m, text.stdout);
  assert.match(text.stdout, new RegExp(`nc 127\\.0\\.0\\.1 ${port}`), text.stdout);
  const json = await sockscopeAsync([...args, '--json']);
  const doc = JSON.parse(json.stdout) as { verdict: { ok: boolean; nextSteps: string[] } };
  assert.equal(doc.verdict.ok, false);
  assert.ok(doc.verdict.nextSteps.some((s) => /--send/.test(s)), doc.verdict.nextSteps.join('\n'));
  assert.ok(doc.verdict.nextSteps.some((s) => s.includes(`nc 127.0.0.1 ${port}`)), doc.verdict.nextSteps.join('\n'));
});

test('no reply at all to the request: next steps too', { timeout: 60_000 }, async (t) => {
  const port = await server(t, () => {});
  const doc = JSON.parse((await sockscopeAsync(['debug-connections', '--address', `127.0.0.1:${port}`, '--send', 'PING\\n', '--expect', 'PONG', '--timeout', '1s', '--json'])).stdout) as { verdict: { ok: boolean; summary: string; nextSteps: string[] } };
  assert.equal(doc.verdict.ok, false, doc.verdict.summary);
  assert.ok(doc.verdict.nextSteps.some((s) => s.includes(`nc 127.0.0.1 ${port}`)), doc.verdict.nextSteps.join('\n'));
});

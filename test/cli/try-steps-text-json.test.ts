// `sockscope try`: the steps printed in text are the call's steps in --json (call.steps), line for line; text printed
// an "ok   close()" line that --json never had (review s17 #5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { sockscopeAsync } from '../collect/getsockopt-helpers.js';

test('try bind on a held port: the text steps are exactly --json call.steps', { timeout: 60_000 }, async (t) => {
  const srv = createServer();
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  t.after(() => srv.close());
  const port = (srv.address() as { port: number }).port;
  for (const extra of [[], ['--reuseaddr']]) {
    const text = await sockscopeAsync(['try', 'bind', `127.0.0.1:${port}`, ...extra]);
    assert.equal(text.status, 0, text.stderr);
    const json = await sockscopeAsync(['try', 'bind', `127.0.0.1:${port}`, ...extra, '--json']);
    assert.equal(json.status, 0, json.stderr);
    const steps = (JSON.parse(json.stdout) as { call: { steps: { call: string; ok: boolean }[] } }).call.steps;
    const lines = text.stdout.slice(0, text.stdout.indexOf('\n\n')).split('\n');
    assert.deepEqual(
      lines.map((l) => l.replace(/^(ok  |FAIL) /, '').replace(/ -> .*$/, '')),
      steps.map((s) => s.call),
      text.stdout,
    );
    assert.doesNotMatch(text.stdout, /close\(\)/, text.stdout);
  }
});

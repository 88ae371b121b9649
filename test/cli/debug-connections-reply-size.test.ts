// --json exchange.received is the reply as text cut at 4096 characters, and nothing said how much came back (diff
// review s25 dB #4): a 10000-byte reply looked like a 4096-byte one. exchange.receivedBytes now gives the bytes read,
// exchange.truncated says the text was cut, and the reply: line shows the byte count. Real TCP servers on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { sockscopeAsync } from '../collect/getsockopt-helpers.js';

function serve(t: { after(fn: () => void): void }, reply: Buffer): Promise<number> {
  const srv: Server = createServer((c) => {
    c.on('error', () => {});
    c.once('data', () => c.end(reply));
  });
  t.after(() => srv.close());
  return new Promise((res) => srv.listen(0, '127.0.0.1', () => res((srv.address() as { port: number }).port)));
}

test('a reply longer than the JSON text: receivedBytes and truncated, and the byte count on the reply: line', { timeout: 60_000 }, async (t) => {
  const port = await serve(t, Buffer.from('x'.repeat(10_000)));
  const r = await sockscopeAsync(['debug-connections', '--address', `127.0.0.1:${port}`, '--send', 'GET\\n', '--expect', 'xxx', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const x = JSON.parse(r.stdout).addresses[0].exchange;
  assert.equal(x.received.length, 4096);
  assert.equal(x.receivedBytes, 10_000, JSON.stringify({ ...x, received: undefined }));
  assert.equal(x.truncated, true);
  const text = (await sockscopeAsync(['debug-connections', '--address', `127.0.0.1:${port}`, '--send', 'GET\\n'])).stdout;
  assert.match(text, /\n {2}reply: +x{200}\.\.\. \(10000 bytes\)\n/, text);
});

test('a reply whose text is whole: its bytes counted (UTF-8: more bytes than characters), truncated absent', { timeout: 60_000 }, async (t) => {
  const port = await serve(t, Buffer.from('é'.repeat(3000), 'utf8'));
  const x = JSON.parse((await sockscopeAsync(['debug-connections', '--address', `127.0.0.1:${port}`, '--send', 'GET\\n', '--json'])).stdout).addresses[0].exchange;
  assert.equal(x.received.length, 3000);
  assert.equal(x.receivedBytes, 6000);
  assert.equal(x.truncated, undefined);
  const one = await serve(t, Buffer.from('!'));
  const text = (await sockscopeAsync(['debug-connections', '--address', `127.0.0.1:${one}`, '--send', 'GET\\n'])).stdout;
  assert.match(text, /\n {2}reply: +! \(1 byte\)\n/, text);
});

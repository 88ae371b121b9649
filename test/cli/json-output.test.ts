// --json output is safe to cat in a terminal: JSON.stringify escapes only C0 controls, so a C1 control from
// the system (U+009B is CSI, as ESC [ is) went out raw. printJson (options.ts) escapes C1, DEL, U+2028/2029
// and the bidi overrides as \uXXXX; JSON.parse gives back the very same strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { jsonText } from '../../src/model/escape.js';

/** Raw (unescaped) DEL or C1 control in the UTF-8 bytes of the output. */
const RAW_C1 = /[\u007f-\u009f]/;

test('jsonText escapes C1, DEL, U+2028/2029 and bidi overrides, and round-trips through JSON.parse', () => {
  const doc = { received: 'HTTP/1.1 200\u009b2J\u0085ok\u007f\u2028\u2029\u202e\u2066', ['key\u009b']: ['\\\u009b', 'plain é ✓'], n: 1 };
  const text = jsonText(doc);
  assert.deepEqual(JSON.parse(text), doc);
  assert.doesNotMatch(text, /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
  assert.match(text, /"HTTP\/1\.1 200\\u009b2J\\u0085ok\\u007f\\u2028\\u2029\\u202e\\u2066"/);
  assert.match(text, /"plain é ✓"/, 'other non-ASCII stays as it is');
  assert.equal(jsonText({ a: 1 }), JSON.stringify({ a: 1 }, null, 2));
});

test('a process named with U+009B: analyze and inspect-options --json carry it escaped, never raw', { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-c1-'));
  // The kernel's comm is the executable's base name: node started through a symlink named "n<CSI>srv".
  const link = join(dir, 'n\u009bsrv');
  symlinkSync(process.execPath, link);
  const child = spawn(link, ['-e', "const s = require('net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port)); setTimeout(() => process.exit(0), 60000);"], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  // once() with a signal: no timer is left to hold the process for 20 s after the test.
  const [first] = (await once(child.stdout!, 'data', { signal: AbortSignal.timeout(20_000) }).catch((e: Error) => {
    throw new Error(`listener did not start: ${e.message}`);
  })) as [Buffer];
  const port = String(Number(first.toString()));
  for (const args of [['analyze', '--port', port, '--json'], ['inspect-options', '--port', port, '--json']]) {
    const r = spawnSync('bin/sockscope', args, { timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
    const what = args.join(' ');
    assert.equal(r.status, 0, `${what}: ${r.stderr}`);
    const out = r.stdout.toString('utf8');
    assert.doesNotMatch(out, RAW_C1, `${what}: no raw C1 in the bytes`);
    assert.ok(out.includes('"n\\u009bsrv"'), `${what}: the name escaped`);
    const names = JSON.stringify(JSON.parse(out)).match(/"name":"n\u009bsrv"/g);
    assert.ok(names && names.length > 0, `${what}: JSON.parse gives the name back with its U+009B`);
  }
});

test('a peer that answers with U+009B: debug-connections --json carries the reply escaped, never raw', { timeout: 60_000 }, async (t) => {
  const { createServer } = await import('node:net');
  // The reply the review used: a C1 CSI in the bytes a server sends back (UTF-8 C2 9B).
  const server = createServer((c) => c.once('data', () => c.end('HELLO\u009b31mred\n')));
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  // Asynchronous: the server runs in this process (spawnSync would block it from answering).
  const child = spawn('bin/sockscope', ['debug-connections', '--address', `127.0.0.1:${port}`, '--send', 'hi\\n', '--json'], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (d: Buffer) => chunks.push(d));
  const [code] = (await once(child, 'exit')) as [number];
  assert.equal(code, 0);
  const out = Buffer.concat(chunks).toString('utf8');
  assert.doesNotMatch(out, RAW_C1, 'no raw C1 in the bytes');
  assert.ok(out.includes('\\u009b31m'), 'the reply escaped');
  // The probe reads the reply as UTF-8: C2 9B is U+009B (test/collect/connect-probe-utf8 has the bytes that are not UTF-8).
  assert.match(JSON.parse(out).addresses[0].exchange.received, /^HELLO\u009b31mred\n$/, 'JSON.parse gives the reply back');
});

// debugConnection() and the debug-connections task take `udp` as the command takes --udp (one datagram instead of a
// TCP connect): the library and `sockscope task` answer what the CLI answers. A loopback UDP echo in this process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const DIST = join(ROOT, 'dist/index.js');
type Lib = typeof import('../../src/index.js');
let L: Lib;
let echo: Socket;
let port: number;

before(async () => {
  assert.ok(existsSync(DIST), 'build first: dist/index.js');
  L = (await import(DIST)) as Lib;
  echo = createSocket('udp4');
  echo.on('message', (m, r) => echo.send(m, r.port, r.address));
  await new Promise<void>((res) => echo.bind(0, '127.0.0.1', () => res()));
  port = echo.address().port;
});

after(() => echo?.close());

test('debugConnection({udp: true}) sends a datagram and reads the reply, as debug-connections --udp; udp with tls is refused', async () => {
  const r = await L.debugConnection({ address: `127.0.0.1:${port}`, udp: true, send: 'ping', expect: 'ping', timeoutMs: 3000 });
  const lib = r as unknown as { protocol?: string; addresses: { datagram?: { reply?: string; matched?: boolean } }[]; verdict: { ok: boolean } };
  assert.equal(lib.protocol, 'udp');
  assert.equal(lib.addresses[0].datagram?.reply, 'ping');
  assert.equal(lib.addresses[0].datagram?.matched, true);
  assert.equal(lib.verdict.ok, true);
  const t = await L.runTask({ operation: 'debug-connections', address: `127.0.0.1:${port}`, udp: true, send: 'ping', timeoutMs: 3000 });
  assert.equal((t.result as unknown as { protocol?: string }).protocol, 'udp');
  // The same fields as the command's document.
  const cli = spawnSync(process.execPath, [join(ROOT, 'bin/sockscope'), 'debug-connections', '--address', `127.0.0.1:${port}`, '--udp', '--send', 'ping', '--json'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(cli.status, 0, cli.stderr);
  const doc = JSON.parse(cli.stdout) as { addresses: Record<string, unknown>[] };
  assert.deepEqual(Object.keys(t.result.addresses[0]).sort(), Object.keys(doc.addresses[0]).sort());
  assert.throws(
    () => L.DebugConnectionInputSchema.parse({ address: `127.0.0.1:${port}`, udp: true, tls: true }),
    (e: Error) => /tls applies to TCP only/.test(e.message),
  );
  await assert.rejects(L.debugConnection({ address: `127.0.0.1:${port}`, udp: true, tls: true }), (e: InstanceType<typeof L.InvalidInputError>) => e instanceof L.InvalidInputError && e.issues[0].path === 'tls');
});

// SOCKET_DEBUG logs each OS call with its duration (product.md): `sockscope try connect` logged socket, setsockopt,
// recvmsg and close, but not connect() itself, the poll() that waits for the handshake, nor getsockopt(SO_ERROR);
// `try sendto` not its poll() and getsockopt(SO_ERROR) either. Real sockets on loopback, through the built CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { createSocket } from 'node:dgram';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const CLI = resolve('dist/cli.js');

/** The `ffi` lines SOCKET_DEBUG wrote on stderr for `sockscope try ARGS`. */
async function ffiLines(...args: string[]): Promise<string[]> {
  const r = await promisify(execFile)(process.execPath, [CLI, 'try', ...args], { env: { PATH: process.env.PATH ?? '', SOCKET_DEBUG: 'true' }, timeout: 30_000 }).catch(
    (e: { stdout: string; stderr: string }) => e,
  );
  return r.stderr.split('\n').filter((l) => / ffi /.test(l)).map((l) => l.replace(/^\[sockscope [^\]]+\] ffi /, ''));
}

/** A loopback port nobody listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address() as AddressInfo;
  await new Promise((ok) => s.close(ok));
  return port;
}

/** connect() is logged with its errno; after EINPROGRESS the poll() and getsockopt(SO_ERROR) that follow are too. */
function assertConnectLogged(lines: string[], port: number, soError: string): void {
  const at = lines.findIndex((l) => l.startsWith(`connect(127.0.0.1:${port}) `));
  assert.ok(at > 0, `connect() logged:\n${lines.join('\n')}`);
  assert.match(lines[at], /^connect\(\S+\) \d+\.\dms( errno=E[A-Z]+)?$/);
  if (!lines[at].endsWith('errno=EINPROGRESS')) return;
  assert.match(lines[at + 1] ?? '', /^poll\(POLLOUT, 3000 ms\) \d+\.\dms ready=1$/, lines.join('\n'));
  assert.match(lines[at + 2] ?? '', new RegExp(`^getsockopt\\(SO_ERROR\\) \\d+\\.\\dms 4B so_error=${soError}$`), lines.join('\n'));
}

test('SOCKET_DEBUG: try connect logs connect(), the poll() that waits and getsockopt(SO_ERROR), refused and accepted', { timeout: 60_000 }, async () => {
  const refused = await closedPort();
  assertConnectLogged(await ffiLines('connect', `127.0.0.1:${refused}`), refused, 'ECONNREFUSED');
  const server = createServer((c) => c.destroy());
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  try {
    const { port } = server.address() as AddressInfo;
    const lines = await ffiLines('connect', `127.0.0.1:${port}`);
    assertConnectLogged(lines, port, '0');
    assert.ok(lines.at(-1)?.startsWith('close('), lines.join('\n'));
  } finally {
    server.close();
  }
});

test('SOCKET_DEBUG: try sendto logs the poll() for an ICMP error and getsockopt(SO_ERROR)', { timeout: 60_000 }, async () => {
  // A UDP port nobody has: bound, then closed; loopback answers with an ICMP port unreachable.
  const u = createSocket('udp4');
  await new Promise<void>((ok) => u.bind(0, '127.0.0.1', ok));
  const { port } = u.address();
  await new Promise<void>((ok) => u.close(() => ok()));
  const lines = await ffiLines('sendto', `127.0.0.1:${port}`);
  const at = lines.findIndex((l) => l.startsWith('sendto('));
  assert.ok(at > 0, lines.join('\n'));
  assert.match(lines[at + 1] ?? '', /^poll\(POLLERR, \d+ ms\) \d+\.\dms ready=1$/, lines.join('\n'));
  assert.match(lines[at + 2] ?? '', /^getsockopt\(SO_ERROR\) \d+\.\dms 4B so_error=ECONNREFUSED$/, lines.join('\n'));
});

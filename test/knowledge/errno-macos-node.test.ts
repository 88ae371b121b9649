// Node.js err.code on macOS is libuv's name for the negated macOS errno: on Unix uv/errno.h defines UV__<X> as
// UV__ERR(<X>) with <X> from the platform's own header, so a macOS number has the name of the libuv error whose macOS
// number it is. The generator copied the Linux name instead: EOPNOTSUPP said err.code 'ENOTSUP' with err.errno macOS
// -102, but libuv's ENOTSUP is macOS ENOTSUP (45) and macOS EOPNOTSUPP (102) has no libuv name. Linux's aliases
// (ENOTSUP = EOPNOTSUPP, EWOULDBLOCK = EAGAIN, EDEADLOCK = EDEADLK) are one number there and may not be on macOS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { BSD_ERRNOS } from '../../src/knowledge/generated/errno-tables.js';
import { explainErrno } from '../../src/knowledge/errno.js';

const run = (...args: string[]) => spawnSync('bin/sockscope', args, { encoding: 'utf8', timeout: 20_000 });

test('EOPNOTSUPP: macOS err.code is a socket call\'s "Unknown system error -102" (102 has no libuv name), not the Linux name ENOTSUP', () => {
  const e = explainErrno('EOPNOTSUPP').matches[0];
  assert.equal(e.node.linux, 'ENOTSUP'); // Linux: one number (95), libuv's UV_ENOTSUP
  assert.equal(e.node.macos, 'Unknown system error -102');
  assert.equal(e.numbers.macos, 102);
  // The other Linux aliases: macOS EAGAIN (35) is libuv's EAGAIN, EDEADLK (11) has no libuv name.
  assert.equal(explainErrno('EWOULDBLOCK').matches[0].node.macos, 'EAGAIN');
  assert.equal(explainErrno('EDEADLOCK').matches[0].node.macos, 'Unknown system error -11');
  assert.equal(BSD_ERRNOS.find((b) => b.name === 'ENOTSUP')?.node, 'ENOTSUP'); // macOS 45
  const text = run('errno', 'EOPNOTSUPP');
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout.replace(/\n {12}/g, ' '), /^ {2}Node\.js {3}err\.code 'ENOTSUP', macOS 'Unknown system error -102', Windows 'UNKNOWN'; err\.errno Linux -95, macOS -102, Windows -4094$/m, text.stdout);
  assert.equal(JSON.parse(run('errno', 'EOPNOTSUPP', '--json').stdout).matches[0].node.macos, 'Unknown system error -102');
});

test('where libuv has no name, err.code is what Node gives a socket call (util.getSystemErrorName), on Linux too', async () => {
  const { getSystemErrorName } = await import('node:util');
  // This machine is Linux: its own Node says it. ENOEXEC (8) has no name in Node 20's libuv (1.46; a later one names it).
  assert.equal(explainErrno('ENOEXEC').matches[0].node.linux, getSystemErrorName(-8));
  // Named ones are unchanged, and Windows keeps libuv's UV_UNKNOWN name.
  assert.equal(explainErrno('ECONNRESET').matches[0].node.linux, getSystemErrorName(-104));
  assert.equal(explainErrno('EOPNOTSUPP').matches[0].node.windows, 'UNKNOWN');
  // A leaked kernel-internal code likewise.
  assert.equal(explainErrno('ERESTARTSYS').matches[0].node.linux, 'Unknown system error -512');
});

const HEADER = '/usr/include/node/uv/errno.h';
test('every macOS err.code is the libuv name whose macOS number it is (uv/errno.h)', () => {
  // Installed with Node (Debian's nodejs package, Node's own tarball): a missing header is a failure, not a skip.
  assert.ok(existsSync(HEADER), `${HEADER} is not installed (it comes with nodejs)`);
  const uv = [...new Set([...readFileSync(HEADER, 'utf8').matchAll(/# define UV__(E[A-Z0-9]+) UV__ERR\((E[A-Z0-9]+)\)/g)].filter((m) => m[1] === m[2]).map((m) => m[1]))];
  assert.ok(uv.includes('ENOTSUP') && uv.includes('EAGAIN') && !uv.includes('EOPNOTSUPP'), uv.join(' '));
  const macNumber = new Map(BSD_ERRNOS.filter((b) => b.macos !== null).map((b) => [b.name, b.macos]));
  for (const b of BSD_ERRNOS) {
    if (b.macos === null) continue;
    const expected = uv.find((x) => macNumber.get(x) === b.macos) ?? 'UNKNOWN';
    assert.equal(b.node, expected, `${b.name} (macOS ${b.macos})`);
  }
});

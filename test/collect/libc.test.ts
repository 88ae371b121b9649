// Socket addresses as the libc bindings encode and decode them (src/collect/libc.ts), checked against
// a real bind: the kernel's getsockname of an IPv4-mapped IPv6 socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { decodeSockaddr, encodeSockaddr } from '../../src/collect/libc.js';

test('decodeSockaddr: IPv4, IPv6 compressed, IPv4-mapped in mixed notation', () => {
  for (const [address, port] of [
    ['127.0.0.1', 80],
    ['::1', 443],
    ['fe80::1:2', 8080],
    ['2001:db8::', 1],
    ['::ffff:127.0.0.1', 5432],
    ['::ffff:10.1.2.3', 65535],
  ] as const) {
    assert.deepEqual(decodeSockaddr(encodeSockaddr(address, port).buf), { address, port }, address);
  }
  // Only the ::ffff:0:0/96 prefix is IPv4-mapped: ::1.2.3.4 style (IPv4-compatible, deprecated) stays hex.
  assert.equal(decodeSockaddr(encodeSockaddr('::102:304', 1).buf)?.address, '::102:304');
  // A zone on the literal is not part of the address: it travels as sin6_scope_id.
  const zoned = encodeSockaddr('FE80::1%eth0', 7, 3).buf;
  assert.deepEqual(decodeSockaddr(zoned), { address: 'fe80::1', port: 7 });
  assert.equal(zoned.readUInt32LE(24), 3);
  assert.throws(() => encodeSockaddr('fe80::1::2', 7), /not an IP address/);
});

test('try bind on an IPv4-mapped address reports the bound address as typed', { timeout: 30_000 }, () => {
  const r = spawnSync('bin/sockscope', ['try', 'bind', '[::ffff:127.0.0.1]:0'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /bound \[::ffff:127\.0\.0\.1\]:\d+/);
});

// The IPv6 text form both ways (src/parse/ipv6-text.ts), shared by the procfs and `ip addr` parsers and the libc
// sockaddr codec: the edges of each direction, and the round trip to the RFC 5952 form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compressIpv6, ipv6Hex } from '../../src/parse/ipv6-text.js';

const groupsOf = (hex: string): string[] => Array.from({ length: 8 }, (_, i) => Number.parseInt(hex.slice(i * 4, i * 4 + 4), 16).toString(16));

test('ipv6Hex: ::, ::1, zero groups at either end, IPv4 tails, case and leading zeros', () => {
  const z = (n: number) => '0'.repeat(n);
  for (const [typed, hex] of [
    ['::', z(32)],
    ['::1', `${z(31)}1`],
    ['0:0:0:0:0:0:0:1', `${z(31)}1`],
    ['0000:0000:0000:0000:0000:0000:0000:0001', `${z(31)}1`],
    ['1::', `0001${z(28)}`],
    ['2001:db8::', `20010db8${z(24)}`],
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
    ['::2:3:4:5:6:7:8', '00000002000300040005000600070008'],
    ['FE80::A:b', `fe80${z(20)}000a000b`],
    ['::ffff:10.0.0.1', `${z(20)}ffff0a000001`],
    ['::ffff:0.0.0.0', `${z(20)}ffff${z(8)}`],
    ['::1.2.3.4', `${z(24)}01020304`],
    ['64:ff9b::192.0.2.33', '0064ff9b0000000000000000c0000221'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
  ]) assert.equal(ipv6Hex(typed), hex, typed);
});

test('ipv6Hex: not an IPv6 address -> undefined', () => {
  for (const bad of [
    '', ':', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '::1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8::',
    ':1::', '1::2:', '12345::', 'g::1', '::ffff:256.0.0.1', '::ffff:1.2.3', '1.2.3.4', '[::1]', 'fe80::1%eth0', ' ::1', 'not an address',
  ]) assert.equal(ipv6Hex(bad), undefined, bad);
});

test('compressIpv6: the longest zero run as ::, single zeros kept, IPv4-mapped in mixed notation', () => {
  assert.equal(compressIpv6(['0', '0', '0', '0', '0', '0', '0', '0']), '::');
  assert.equal(compressIpv6(['0', '0', '0', '0', '0', '0', '0', '1']), '::1');
  assert.equal(compressIpv6(['1', '0', '0', '0', '0', '0', '0', '0']), '1::');
  assert.equal(compressIpv6(['2001', 'db8', '0', '0', '0', '0', '0', '1']), '2001:db8::1');
  assert.equal(compressIpv6(['1', '0', '2', '3', '4', '5', '6', '7']), '1:0:2:3:4:5:6:7');
  assert.equal(compressIpv6(['1', '0', '0', '2', '0', '0', '0', '3']), '1:0:0:2::3');
  assert.equal(compressIpv6(['1', '0', '0', '2', '0', '0', '3', '4']), '1::2:0:0:3:4');
  assert.equal(compressIpv6(['0', '0', '0', '0', '0', 'ffff', 'a00', '1']), '::ffff:10.0.0.1');
  assert.equal(compressIpv6(['0', '0', '0', '0', '0', 'ffff', '0', '0']), '::ffff:0.0.0.0');
  // Only ::ffff:0:0/96 is IPv4-mapped: IPv4-compatible (::a.b.c.d, deprecated) and NAT64 stay hex.
  assert.equal(compressIpv6(['0', '0', '0', '0', '0', '0', '102', '304']), '::102:304');
  assert.equal(compressIpv6(['64', 'ff9b', '0', '0', '0', '0', 'c000', '221']), '64:ff9b::c000:221');
});

test('round trip: a typed address -> hex -> groups -> the RFC 5952 form', () => {
  for (const [typed, canonical] of [
    ['::', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['FE80:0000::0001', 'fe80::1'],
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::FFFF:127.0.0.1', '::ffff:127.0.0.1'],
  ]) assert.equal(compressIpv6(groupsOf(ipv6Hex(typed)!)), canonical, typed);
});

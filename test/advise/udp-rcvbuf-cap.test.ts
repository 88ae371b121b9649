// review-codegen #5: the UDP drop fix asked for four times the socket's rb with no upper limit. From rb
// 512 MiB on that passed INT_MAX: the C snippet's &(int){N} overflowed and sysctl refuses such an
// rmem_max (an int). The request now stops at INT_MAX / 2, the most the kernel takes (__sock_set_rcvbuf),
// and a socket already there is told to read faster, not given a buffer that is not available.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import { fakeHistory, proc, udp } from '../helpers/fake-snapshot.js';

const INT_MAX = 2 ** 31 - 1;
const skmem = (rmemAlloc: number, rcvbuf: number, drops: number) => ({ rmemAlloc, rcvbuf, wmemAlloc: 0, sndbuf: 212992, drops });
const fixFor = (rcvbuf: number) => {
  const h = fakeHistory(4, (i) => ({
    sysctls: { 'net.core.rmem_max': '212992', 'net.core.rmem_default': '212992' },
    snmp: { Udp: { InErrors: i * 200, RcvbufErrors: i * 200 } },
    sockets: [udp('0.0.0.0:5353', { inode: 901, processes: [proc(41, 'resolver', 5)], skmem: skmem(rcvbuf - 100, rcvbuf, i * 200) })],
  }));
  const r = evaluateRules(makeContext({ snapshot: h[h.length - 1], history: h })).find((x) => x.id === 'udp-socket-drops');
  assert.ok(r);
  return r.fix;
};
const numbers = (fix: string) => [...fix.matchAll(/(?:&\(int\)\{|SO_RCVBUF, |recvBufferSize: |rmem_max=|rmem_default=)(\d+)/g)].map((m) => Number(m[1]));

test('rb of 600 MiB: the request is INT_MAX / 2, not 2.4 GB, and says why', () => {
  const fix = fixFor(600 * 1024 * 1024);
  const ns = numbers(fix);
  assert.ok(ns.length >= 4, fix);
  for (const n of ns) assert.ok(n <= INT_MAX, `${n} overflows an int: ${fix}`);
  assert.match(fix, /&\(int\)\{1073741823\}/);
  assert.match(fix, /sysctl -w net\.core\.rmem_max=1073741823/);
  assert.match(fix, /INT_MAX \/ 2 is the most the kernel takes/);
});

test('rb already at the kernel limit: no larger buffer offered, read faster', () => {
  const fix = fixFor(2 * Math.floor(INT_MAX / 2));
  assert.doesNotMatch(fix, /SO_RCVBUF, &\(int\)/);
  assert.doesNotMatch(fix, /sysctl -w/);
  assert.match(fix, /^Read faster/);
  assert.match(fix, /a larger receive buffer is not available/);
});

test('an ordinary socket still gets 8 MiB', () => {
  assert.match(fixFor(212992), /&\(int\)\{8388608\}/);
});

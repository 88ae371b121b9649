// INET_DIAG_SKV6ONLY (IPV6_V6ONLY, sent unasked with every AF_INET6 full socket) read into Socket.v6only for
// sockets bound to ::, the only address where it changes which clients the socket takes (review-ipv6 #8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AF_INET, AF_INET6, INET_DIAG_MSG_LEN, INET_DIAG_SKV6ONLY, parseInetDiagMsg } from '../../src/parse/inet-diag.js';

function attr(type: number, data: Buffer): Buffer {
  const len = 4 + data.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt16LE(len, 0);
  b.writeUInt16LE(type, 2);
  data.copy(b, 4);
  return b;
}

const ANY6 = new Array(16).fill(0);
const LOOP6 = [...new Array(15).fill(0), 1];

/** An inet_diag_msg: `state` (10 LISTEN, 1 ESTABLISHED), local address bytes, then attributes. */
function msg(family: number, state: number, src: number[], attrs: Buffer[]): Buffer {
  const b = Buffer.alloc(INET_DIAG_MSG_LEN);
  b.writeUInt8(family, 0);
  b.writeUInt8(state, 1);
  b.writeUInt16BE(47101, 4);
  Buffer.from(src).copy(b, 8);
  b.writeUInt32LE(0xffffffff, 44);
  b.writeUInt32LE(0xffffffff, 48);
  b.writeUInt32LE(12345, 68);
  return Buffer.concat([b, ...attrs]);
}

const parse = (m: Buffer) => parseInetDiagMsg(m, 0, m.length, { protocol: 'tcp' })!;
const v6only = (on: number) => attr(INET_DIAG_SKV6ONLY, Buffer.from([on]));

test('a [::] listener: v6only from INET_DIAG_SKV6ONLY, 1 and 0', () => {
  const on = parse(msg(AF_INET6, 10, ANY6, [v6only(1)]));
  assert.equal(on.local.address, '::');
  assert.equal(on.v6only, true);
  const off = parse(msg(AF_INET6, 10, ANY6, [attr(8, Buffer.from([0])), v6only(0)]));
  assert.equal(off.v6only, false, 'read after another attribute (INET_DIAG_SHUTDOWN) too');
});

test('no attribute (an old kernel), or a socket not bound to ::: no v6only (unknown / not meaningful)', () => {
  assert.equal('v6only' in parse(msg(AF_INET6, 10, ANY6, [])), false);
  assert.equal('v6only' in parse(msg(AF_INET6, 1, LOOP6, [v6only(1)])), false, '[::1]: which clients reach it does not depend on the flag');
  assert.equal('v6only' in parse(msg(AF_INET, 10, [0, 0, 0, 0, ...new Array(12).fill(0)], [v6only(1)])), false, 'AF_INET');
  assert.equal('v6only' in parse(msg(AF_INET6, 10, ANY6, [attr(INET_DIAG_SKV6ONLY, Buffer.alloc(0))])), false, 'an empty attribute is ignored');
});

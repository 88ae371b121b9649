// Pure decoding of getsockopt results, checked against this system's own struct tcp_info (compiled with gcc).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeOption, decodeTcpInfo } from '../../src/collect/getsockopt-decode.js';
import { defaultOptionNames, notApplicable, readPlan } from '../../src/collect/getsockopt-options.js';
import { findOption } from '../../src/knowledge/socket-options.js';
import { compileFixture, ROOT } from './getsockopt-helpers.js';

test('struct tcp_info offsets match linux/tcp.h field by field', () => {
  const { exe, cleanup } = compileFixture('tcp-info-layout.c');
  try {
    const r = spawnSync(exe, { encoding: 'utf8' });
    assert.equal(r.status, 0);
    const [hex, json] = r.stdout.trim().split('\n');
    const expected = JSON.parse(json);
    const buf = Buffer.from(hex, 'hex');
    assert.equal(buf.length, expected.size);
    const got = decodeTcpInfo(Buffer.concat([buf, Buffer.alloc(64)]), buf.length) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(expected)) {
      if (k === 'size') continue;
      assert.deepEqual(got[k], v, `tcp_info field ${k}`);
    }
    assert.equal(got.length, expected.size);
  } finally {
    cleanup();
  }
});

test('a short tcp_info (old kernel) decodes the fields present and omits the rest', () => {
  const b = Buffer.alloc(256);
  b[0] = 10; // LISTEN
  b.writeUInt32LE(3, 24); // unacked = accept queue
  b.writeUInt32LE(128, 28); // sacked = backlog
  const t = decodeTcpInfo(b, 104);
  assert.equal(t.state, 'LISTEN');
  assert.equal(t.unacked, 3);
  assert.equal(t.sacked, 128);
  assert.equal(t.bytesAcked, undefined);
  assert.equal(t.deliveryRate, undefined);
});

test('ints, unsigned ints, booleans, linger, timeval and names decode', () => {
  const i = Buffer.alloc(4);
  i.writeInt32LE(-1);
  assert.equal(decodeOption('int', i, 4), -1);
  assert.equal(decodeOption('uint', i, 4), 0xffffffff);
  assert.equal(decodeOption('bool', i, 4), true);
  const l = Buffer.alloc(8);
  l.writeInt32LE(1, 0);
  l.writeInt32LE(5, 4);
  assert.deepEqual(decodeOption('linger', l, 8), { onoff: true, seconds: 5 });
  const tv = Buffer.alloc(16);
  tv.writeBigInt64LE(2n, 0);
  tv.writeBigInt64LE(500000n, 8);
  assert.deepEqual(decodeOption('timeval', tv, 16), { seconds: 2, micros: 500000 });
  const s = Buffer.alloc(16);
  s.write('cubic');
  assert.equal(decodeOption('string', s, 16), 'cubic');
  assert.equal(decodeOption('string', Buffer.alloc(16), 0), '');
});

test('IPv4-level TOS/TTL are read as IPV6_TCLASS/IPV6_UNICAST_HOPS on AF_INET6 sockets', () => {
  const v6 = { family: 'inet6', type: 'stream', protocol: 'tcp' } as const;
  assert.equal(readPlan(findOption('IP_TOS')!, v6).readAs, 'IPV6_TCLASS');
  assert.equal(readPlan(findOption('IP_TTL')!, v6).optname, 16);
  assert.equal(readPlan(findOption('IP_TOS')!, { ...v6, family: 'inet' }).readAs, undefined);
  assert.ok(readPlan(findOption('TCP_INFO')!, v6).size >= 232);
  assert.match(notApplicable(findOption('TCP_NODELAY')!, { family: 'inet', type: 'dgram', protocol: 'udp' })!, /TCP only/);
  assert.match(notApplicable(findOption('IPV6_V6ONLY')!, { family: 'inet', type: 'stream', protocol: 'tcp' })!, /AF_INET6/);
});

test('SO_ERROR is not read by default: reading it clears the owner\'s pending error', () => {
  assert.ok(!defaultOptionNames().includes('SO_ERROR'));
  assert.ok(defaultOptionNames().includes('TCP_NODELAY'));
});

test('the getsockopt helper never sets an option on a borrowed socket (no setsockopt in its source)', () => {
  const dir = join(ROOT, 'src/collect');
  for (const f of readdirSync(dir).filter((n) => n.startsWith('getsockopt'))) {
    const text = readFileSync(join(dir, f), 'utf8');
    assert.ok(!/setsockopt\s*\(|\.setsockopt\b/.test(text), `${f} must not call setsockopt`);
  }
});

test('string values (SO_BINDTODEVICE) decode as UTF-8, a byte that is not kept as U+DC80..U+DCFF (shown \\xNN)', () => {
  const b = Buffer.alloc(16);
  Buffer.from('eé0', 'utf8').copy(b);
  assert.equal(decodeOption('string', b, 16), 'eé0', 'latin1 gave "eÃ©0"');
  const bad = Buffer.alloc(16);
  Buffer.from([0x65, 0xff, 0x31]).copy(bad);
  assert.equal(decodeOption('string', bad, 16), 'e\udcff1');
  assert.equal(decodeOption('string', Buffer.from('eth0xxxx'), 4), 'eth0', 'only the length the kernel returned');
});

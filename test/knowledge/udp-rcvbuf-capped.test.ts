// review-udp #11: a UDP SO_RCVBUF of exactly twice net.core.rmem_max is a request the kernel capped
// silently (asked for 100 MiB, holds 8 MiB under rmem_max 4 MiB): said as it is for TCP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unknownSysctls, type Sysctls } from '../../src/model/snapshot.js';
import { bufferVerdict } from '../../src/knowledge/interpret-option-buffers.js';

const sysctls = { ...unknownSysctls(), 'net.core.rmem_max': '4194304', 'net.core.wmem_max': '4194304', 'net.core.rmem_default': '212992', 'net.core.wmem_default': '212992' } as Sysctls;
const udp = { state: 'CLOSE', protocol: 'udp', sysctls, extraSysctls: {} };

test('UDP SO_RCVBUF at 2 x rmem_max: capped, with the two ways out', () => {
  const v = bufferVerdict('rcv', 8 * 1024 * 1024, udp);
  assert.match(v.unusual!, /^SO_RCVBUF is 8 MiB, twice net\.core\.rmem_max=4194304: the application asked for 4 MiB or more and the kernel capped the request silently/);
  assert.match(v.unusual!, /sysctl -w net\.core\.rmem_max=BYTES.*SO_RCVBUFFORCE/);
  // The same for SO_SNDBUF and wmem_max.
  assert.match(bufferVerdict('snd', 8 * 1024 * 1024, udp).unusual!, /twice net\.core\.wmem_max=4194304.*SO_SNDBUFFORCE/);
});

test('UDP SO_RCVBUF below the cap: set by the application, not capped; the default: no finding', () => {
  assert.match(bufferVerdict('rcv', 8192, udp).unusual!, /not the default net\.core\.rmem_default=208 KiB: set by the application$/);
  assert.equal(bufferVerdict('rcv', 212992, udp).unusual, undefined);
});

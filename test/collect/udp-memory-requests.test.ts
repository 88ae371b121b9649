// CollectOptions.udpMemory (the monitor's home view: UDP sockets' drop counter without details) in what the
// collectors ask for: netlink's UDP dump request carries the skmeminfo extension alone, a TCP one none; ss runs
// UDP apart with -m, TCP without it, except with ss -p (one run: each walks every process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildInetDiagRequest, INET_DIAG_SKMEMINFO, INET_DIAG_INFO } from '../../src/parse/inet-diag-request.js';
import { AF_INET, IPPROTO_TCP, IPPROTO_UDP } from '../../src/parse/netlink-frame.js';
import { ssRuns } from '../../src/collect/ss.js';

/** idiag_ext of a SOCK_DIAG_BY_FAMILY request: the byte after family and protocol (nlmsghdr is 16 bytes). */
const ext = (b: Buffer) => b.readUInt8(16 + 2);

test('netlink: memory asks for skmeminfo alone; details for more; neither for nothing', () => {
  assert.equal(ext(buildInetDiagRequest({ family: AF_INET, protocol: IPPROTO_UDP, memory: true })), 1 << (INET_DIAG_SKMEMINFO - 1));
  assert.equal(ext(buildInetDiagRequest({ family: AF_INET, protocol: IPPROTO_UDP })), 0);
  assert.equal(ext(buildInetDiagRequest({ family: AF_INET, protocol: IPPROTO_TCP, details: true, memory: true })) & (1 << (INET_DIAG_INFO - 1)), 1 << (INET_DIAG_INFO - 1));
});

test('ss: udpMemory runs UDP apart with -m and TCP without; with -p one run as before', () => {
  const runs = ssRuns({ protocols: ['tcp', 'udp'], udpMemory: true }, false);
  assert.deepEqual(
    runs.map((r) => r.args),
    [
      ['-uanOHe', '-m', '-o'],
      ['-tanOHe', '-o'],
    ],
  );
  assert.deepEqual(runs.map((r) => r.netid), ['udp', 'tcp']);
  assert.equal(ssRuns({ protocols: ['tcp', 'udp'], udpMemory: true }, true).length, 1);
  assert.equal(ssRuns({ protocols: ['tcp', 'udp'] }, false).length, 1);
  assert.deepEqual(ssRuns({ protocols: ['udp'], udpMemory: true }, false)[0].args, ['-uanOHe', '-m', '-o']);
});

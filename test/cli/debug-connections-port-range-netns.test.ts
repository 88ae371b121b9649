// TIME_WAIT against net.ipv4.ip_local_port_range counted every TIME_WAIT socket to the destination, also those whose
// local port is outside the range (bound before connect()): "TIME_WAIT 5 of 4 ephemeral ports (40000-40003)" (review
// s17 #4). In a namespace of this test: range 40000-40005, tcp_tw_reuse 0; to 127.0.0.1:7000, 5 TIME_WAIT sockets from
// ports 41000-41004 (outside), 2 from the range, and 4 ESTABLISHED from the range (the range used up).
// Needs root (as CI), iproute2, python3: fails, never skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { netnsWithHolder } from '../helpers/netns.js';

const HOLDER = `
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(('127.0.0.1', 7000)); l.listen(64)
def closed(port=None):
    c = socket.socket()
    if port: c.bind(('127.0.0.1', port))
    c.connect(('127.0.0.1', 7000)); a, _ = l.accept()
    c.close(); time.sleep(0.05); a.close()
for p in range(41000, 41005): closed(p)
closed(); closed()
keep = []
for i in range(4):
    c = socket.socket(); c.connect(('127.0.0.1', 7000)); a, _ = l.accept(); keep += [c, a]
`;

test('TIME_WAIT N of M ephemeral ports counts only the sockets with a local port in the range', { timeout: 90_000 }, async (t) => {
  const ns = `sockscope-prange-${process.pid}`;
  await netnsWithHolder(t, ns, `import subprocess\nsubprocess.run(['sysctl', '-qw', 'net.ipv4.ip_local_port_range=40000 40005', 'net.ipv4.tcp_tw_reuse=0'], check=True)\n${HOLDER}`);
  const ss = spawnSync('ip', ['netns', 'exec', ns, 'ss', '-tanH', 'dst', '127.0.0.1:7000'], { encoding: 'utf8' }).stdout;
  assert.equal(ss.split('\n').filter((l) => l.startsWith('TIME-WAIT')).length, 7, ss);
  const r = sockscope(['debug-connections', '--address', '127.0.0.1:7000', '--timeout', '1s', '--json'], { netns: ns });
  assert.equal(r.status, 0, r.stderr);
  const a = JSON.parse(r.stdout).addresses[0];
  assert.equal(a.connect.errno, 'EADDRNOTAVAIL', JSON.stringify(a.connect));
  assert.equal(a.existing.timeWait, 7);
  assert.deepEqual(a.existing.portRange, { low: 40000, high: 40005, size: 6, used: 6, timeWait: 2 });
  const text = sockscope(['debug-connections', '--address', '127.0.0.1:7000', '--timeout', '1s'], { netns: ns }).stdout;
  assert.match(text, /TIME_WAIT 2 of 6 ephemeral ports \(40000-40005\) \(5 more with a local port outside the range\)/, text);
  const tryc = sockscope(['try', 'connect', '127.0.0.1:7000', '--json'], { netns: ns });
  const doc = JSON.parse(tryc.stdout);
  assert.equal(doc.call.errno, 'EADDRNOTAVAIL');
  assert.match(doc.interpretation.summary, /11 sockets to it already \(7 in TIME_WAIT; 6 of them with a local port in the range\) against 6 ephemeral ports \(40000-40005\)/);
  assert.ok(doc.interpretation.nextSteps.some((s: string) => s.startsWith('sysctl -w net.ipv4.tcp_tw_reuse=1   (2 TIME_WAIT sockets')), doc.interpretation.nextSteps.join('\n'));
});

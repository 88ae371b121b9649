// `debug-connections --udp` to [::1] on a host with IPv6 disabled (net.ipv6.conf.*.disable_ipv6=1) said "the
// ephemeral port range is used up" (category ports-exhausted), where TCP says "this host has no IPv6 address to
// connect from" (review s25 #3): the datagram's diagnosis dropped the noSourceFamily fact. A namespace of this test
// with IPv6 disabled; needs root (as CI) and iproute2: fails, never skips.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { createNetns, deleteNetns } from '../helpers/netns.js';

const NS = `udpnoip6-${process.pid % 100000}`;

before(() => {
  createNetns(NS);
  for (const k of ['all', 'default', 'lo']) {
    const r = spawnSync('ip', ['netns', 'exec', NS, 'sysctl', '-qw', `net.ipv6.conf.${k}.disable_ipv6=1`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  assert.equal(spawnSync('ip', ['-n', NS, '-6', 'addr'], { encoding: 'utf8' }).stdout.trim(), '', 'no IPv6 address left in the namespace');
});

after(() => deleteNetns(NS));

test('--udp [::1] with IPv6 disabled: no IPv6 address to send from, as for TCP, not ports used up', { timeout: 60_000 }, () => {
  const j = sockscope(['debug-connections', '--udp', '--address', '[::1]:80', '--timeout', '1s', '--json'], { netns: NS });
  assert.equal(j.status, 0, j.stderr);
  const a = JSON.parse(j.stdout).addresses[0];
  assert.equal(a.connect.errno, 'EADDRNOTAVAIL', JSON.stringify(a.connect));
  assert.equal(a.diagnosis.category, 'unreachable', JSON.stringify(a.diagnosis));
  assert.match(a.diagnosis.summary, /this host has no IPv6 address to connect from: IPv6 is disabled \(net\.ipv6\.conf\.all\.disable_ipv6=1\)/);
  const t = sockscope(['debug-connections', '--udp', '--address', '[::1]:80', '--timeout', '1s'], { netns: NS });
  assert.match(t.stdout, /^Verdict: \[::1\]:80 \(UDP\): .*no IPv6 address to connect from/m, t.stdout);
  assert.match(t.stdout, /127\.0\.0\.1 instead of ::1/);
  assert.doesNotMatch(t.stdout, /port range is used up|ip_local_port_range|keep-alive/, t.stdout);
});

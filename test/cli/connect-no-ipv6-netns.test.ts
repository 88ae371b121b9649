// A connect to [::1] on a host whose IPv6 is off (net.ipv6.conf.*.disable_ipv6=1: no IPv6 address at all) fails
// with EADDRNOTAVAIL: the kernel finds no source address. try connect and debug-connections blamed ephemeral-port
// exhaustion ("only 0 sockets to it ... widen net.ipv4.ip_local_port_range"), against their own route line and
// socket count. They now say this host has no IPv6 address to connect from, and why. A namespace of this test with
// IPv6 disabled; needs root (as CI) and iproute2. try bind/listen [::1] there said "not an address of this host" and
// suggested IP_FREEBIND (a listener nobody can reach): it now says IPv6 is off, as for a connect.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { createNetns, deleteNetns } from '../helpers/netns.js';

const NS = `noip6-${process.pid % 100000}`;

before(() => {
  createNetns(NS);
  for (const k of ['all', 'default', 'lo']) {
    const r = spawnSync('ip', ['netns', 'exec', NS, 'sysctl', '-qw', `net.ipv6.conf.${k}.disable_ipv6=1`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  const addrs = spawnSync('ip', ['netns', 'exec', NS, 'ip', '-6', 'addr'], { encoding: 'utf8' });
  assert.equal(addrs.stdout.trim(), '', 'no IPv6 address left in the namespace');
});

after(() => deleteNetns(NS));

test('try connect [::1] with IPv6 disabled: no IPv6 address to connect from, not port exhaustion', { timeout: 60_000 }, () => {
  const t = sockscope(['try', 'connect', '[::1]:8080', '--timeout', '2s'], { netns: NS });
  assert.equal(t.status, 0, t.stdout + t.stderr);
  assert.match(t.stdout, /EADDRNOTAVAIL/);
  assert.match(t.stdout, /\[::1\]:8080: this host has no IPv6 address to connect from: IPv6 is disabled \(net\.ipv6\.conf\.all\.disable_ipv6=1\)/);
  assert.match(t.stdout, /127\.0\.0\.1 instead of ::1/);
  assert.doesNotMatch(t.stdout, /no free local port|ip_local_port_range|keep-alive/);
  const j = sockscope(['try', 'connect', '[::1]:8080', '--timeout', '2s', '--json'], { netns: NS });
  assert.equal(j.status, 0, j.stderr);
  const doc = JSON.parse(j.stdout) as { call: { errno?: string }; context: { connectFacts?: { noSourceFamily?: unknown } } };
  assert.equal(doc.call.errno, 'EADDRNOTAVAIL');
  assert.deepEqual(doc.context.connectFacts?.noSourceFamily, { family: 6, disabled: true });
});

test('debug-connections [::1] with IPv6 disabled: the verdict says there is no IPv6 address', { timeout: 60_000 }, () => {
  const d = sockscope(['debug-connections', '--address', '[::1]:8080', '--timeout', '2s'], { netns: NS });
  assert.match(d.stdout, /EADDRNOTAVAIL/);
  assert.match(d.stdout, /Verdict: \[::1\]:8080 is not reachable: this host has no IPv6 address to connect from: IPv6 is disabled/);
  assert.doesNotMatch(d.stdout, /no free local port|ip_local_port_range/);
  // IPv4 in the same namespace still connects as before (nothing listens: refused, not this finding).
  const v4 = sockscope(['debug-connections', '--address', '127.0.0.1:8080', '--timeout', '2s'], { netns: NS });
  assert.match(v4.stdout, /ECONNREFUSED/);
  assert.doesNotMatch(v4.stdout, /no IPv4 address|no IPv6 address/);
});

for (const op of ['bind', 'listen']) {
  test(`try ${op} [::1] with IPv6 disabled: IPv6 is off, enable it or use 127.0.0.1; never IP_FREEBIND / ip_nonlocal_bind`, { timeout: 60_000 }, () => {
    const t = sockscope(['try', op, '[::1]:8080'], { netns: NS });
    assert.equal(t.status, 0, t.stdout + t.stderr);
    assert.match(t.stdout, /EADDRNOTAVAIL/);
    assert.match(t.stdout, /^Failed: \[::1\] is not an address of this host: this host has no IPv6 address: IPv6 is disabled \(net\.ipv6\.conf\.all\.disable_ipv6=1\)$/m);
    assert.match(t.stdout, /sysctl -w NAME=0 turns it on/);
    assert.match(t.stdout, new RegExp(`or ${op} 127\\.0\\.0\\.1: sockscope try ${op} 127\\.0\\.0\\.1:8080`));
    assert.doesNotMatch(t.stdout, /FREEBIND|nonlocal_bind|this host has 127\.0\.0\.1/);
    const j = sockscope(['try', op, '[::1]:8080', '--json'], { netns: NS });
    assert.equal(j.status, 0, j.stderr);
    const doc = JSON.parse(j.stdout) as { context: { connectFacts?: { noSourceFamily?: unknown } } };
    assert.deepEqual(doc.context.connectFacts?.noSourceFamily, { family: 6, disabled: true });
  });
}

// IPv6 off on lo alone (net.ipv6.conf.lo.disable_ipv6=1) while another interface keeps an IPv6 address (review
// s22): try bind/listen [::1] failed with EADDRNOTAVAIL and advised IP_FREEBIND / net.ipv6.ip_nonlocal_bind (a
// listener nobody reaches), since noSourceFamily only sees a host with no IPv6 address at all. It now says IPv6 is
// disabled on lo, naming the sysctl, and suggests turning it on or 127.0.0.1. A namespace of this test (lo with
// IPv6 off, a veth with fd00:77::1); needs root (as CI) and iproute2.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { createLoIpv6OffNetns, deleteNetns } from '../helpers/netns.js';

const NS = `lo6off-${process.pid % 100000}`;

before(() => {
  createLoIpv6OffNetns(NS);
  const addrs = spawnSync('ip', ['-n', NS, '-6', 'addr'], { encoding: 'utf8' }).stdout;
  assert.match(addrs, /fd00:77::1/);
  assert.doesNotMatch(addrs, /::1\/128/, 'lo has no ::1');
});

after(() => deleteNetns(NS));

for (const op of ['bind', 'listen']) {
  test(`try ${op} [::1] with IPv6 off on lo only: says so (the sysctl), enable it or use 127.0.0.1; never IP_FREEBIND`, { timeout: 60_000 }, () => {
    const t = sockscope(['try', op, '[::1]:8080'], { netns: NS });
    assert.equal(t.status, 0, t.stdout + t.stderr);
    assert.match(t.stdout, /EADDRNOTAVAIL/);
    assert.match(t.stdout, /^Failed: \[::1\] is not an address of this host: IPv6 is disabled on lo \(net\.ipv6\.conf\.lo\.disable_ipv6=1\)/m);
    assert.match(t.stdout, /sysctl -w net\.ipv6\.conf\.lo\.disable_ipv6=0/);
    assert.match(t.stdout, new RegExp(`or ${op} 127\\.0\\.0\\.1: sockscope try ${op} 127\\.0\\.0\\.1:8080`));
    assert.doesNotMatch(t.stdout, /FREEBIND|nonlocal_bind/);
    const j = sockscope(['try', op, '[::1]:8080', '--json'], { netns: NS });
    assert.equal(j.status, 0, j.stderr);
    const doc = JSON.parse(j.stdout) as { context: { connectFacts?: { loopbackV6Disabled?: boolean; noSourceFamily?: unknown } } };
    assert.equal(doc.context.connectFacts?.loopbackV6Disabled, true);
    assert.equal(doc.context.connectFacts?.noSourceFamily, undefined);
  });
}

test('try bind of an IPv6 address the namespace does not have (lo off too): still the IP_FREEBIND advice, not lo', { timeout: 60_000 }, () => {
  const t = sockscope(['try', 'bind', '[fd00:77::2]:8080'], { netns: NS });
  assert.match(t.stdout, /EADDRNOTAVAIL/);
  assert.match(t.stdout, /IP_FREEBIND/);
  assert.doesNotMatch(t.stdout, /disabled on lo/);
});

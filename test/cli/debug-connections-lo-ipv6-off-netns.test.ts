// [::1] with IPv6 off on lo alone (net.ipv6.conf.lo.disable_ipv6=1) while another interface keeps an IPv6 address:
// the connect fails with ENETUNREACH, which debug-connections explained as "no route ... check global IPv6
// connectivity" (review s25 #7); try bind/listen already name the sysctl. A namespace of this test; needs root (as
// CI) and iproute2: fails, never skips.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { createLoIpv6OffNetns, deleteNetns } from '../helpers/netns.js';

const NS = `dclo6-${process.pid % 100000}`;

before(() => {
  createLoIpv6OffNetns(NS);
});

after(() => deleteNetns(NS));

for (const udp of [false, true]) {
  test(`debug-connections${udp ? ' --udp' : ''} [::1] with IPv6 off on lo only: names net.ipv6.conf.lo.disable_ipv6, not global connectivity`, { timeout: 60_000 }, () => {
    const args = ['debug-connections', ...(udp ? ['--udp'] : []), '--address', '[::1]:8080', '--timeout', '1s'];
    const j = sockscope([...args, '--json'], { netns: NS });
    assert.equal(j.status, 0, j.stderr);
    const doc = JSON.parse(j.stdout);
    const a = doc.addresses[0];
    assert.equal(a.connect.errno, 'ENETUNREACH', JSON.stringify(a.connect));
    assert.match(a.diagnosis.summary, /IPv6 is disabled on lo \(net\.ipv6\.conf\.lo\.disable_ipv6=1\), so lo has no ::1/);
    assert.deepEqual(doc.verdict.nextSteps, ['sysctl -w net.ipv6.conf.lo.disable_ipv6=0   (gives lo its ::1 back)', 'or connect to 127.0.0.1 instead of ::1']);
    const text = sockscope(args, { netns: NS }).stdout;
    assert.match(text, /^Verdict: .*IPv6 is disabled on lo \(net\.ipv6\.conf\.lo\.disable_ipv6=1\)/m, text);
    assert.doesNotMatch(text, /global IPv6 connectivity|this host has no route/, text);
  });
}

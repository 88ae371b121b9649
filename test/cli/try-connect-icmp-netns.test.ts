// `try connect` reads the ICMP error that ended a refused or unreachable connect from its own socket (IP_RECVERR,
// recvmsg(MSG_ERRQUEUE)): a REJECT rule's ICMP port unreachable or admin-prohibited is said as such, with the host
// that sent it (the server itself, or a router on the way), and a refusal with no queued error is a TCP reset. It
// said "a TCP reset or an ICMP port unreachable" for all of them. Three namespaces of this test: a client, a router
// and a server, joined by two veth pairs, with nft reject rules on the server (input) and on the router (forward).
// Needs root (as CI), iproute2, nftables.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { deleteNetns, routedNetns } from '../helpers/netns.js';

const id = process.pid % 100000;
const C = `icmp-c-${id}`;
const R = `icmp-r-${id}`;
const S = `icmp-s-${id}`;

function run(cmd: string, args: string[], input?: string): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input });
  assert.equal(r.error, undefined, `${cmd} is required`);
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
}

before(() => {
  routedNetns(C, R, S, `i${id}`);
  // The server: 7405 rejected with nft's default (ICMP port unreachable), 7407 admin-prohibited (code 13), 7423
  // host-prohibited (code 10); 7408 has nothing (the kernel's reset).
  run('ip', ['netns', 'exec', S, 'nft', '-f', '-'], 'table inet t {\n chain input {\n  type filter hook input priority 0;\n  tcp dport 7405 reject\n  tcp dport 7407 reject with icmpx admin-prohibited\n  tcp dport 7421 reject with icmp host-unreachable\n  meta nfproto ipv4 tcp dport 7423 reject with icmp host-prohibited\n  meta nfproto ipv6 tcp dport 7422 reject with icmpv6 admin-prohibited\n }\n}\n');
  // The router: 7409 rejected on the way.
  run('ip', ['netns', 'exec', R, 'nft', '-f', '-'], 'table inet t {\n chain forward {\n  type filter hook forward priority 0;\n  tcp dport 7409 reject\n  udp dport 7409 reject\n }\n}\n');
});

after(() => {
  for (const ns of [C, R, S]) deleteNetns(ns);
});

function tryConnect(port: number): { text: string; doc: { call: { errno?: string; icmp?: unknown }; context: { connectFacts?: { icmp?: unknown } }; interpretation: { summary: string } } } {
  const t = sockscope(['try', 'connect', `10.78.0.2:${port}`, '--timeout', '3s'], { netns: C });
  assert.equal(t.status, 0, t.stdout + t.stderr);
  const j = sockscope(['try', 'connect', `10.78.0.2:${port}`, '--timeout', '3s', '--json'], { netns: C });
  assert.equal(j.status, 0, j.stderr);
  return { text: t.stdout, doc: JSON.parse(j.stdout) };
}

test('an ICMP port unreachable from the server is a REJECT rule there, not a missing listener', { timeout: 60_000 }, () => {
  const { text, doc } = tryConnect(7405);
  assert.match(text, /^ok {3}setsockopt\(IP_RECVERR, 1\)$/m);
  assert.equal(doc.call.errno, 'ECONNREFUSED');
  assert.deepEqual(doc.call.icmp, { version: 4, type: 3, code: 3, from: '10.78.0.2' });
  assert.deepEqual(doc.context.connectFacts?.icmp, doc.call.icmp);
  assert.match(text, /^Failed: 10\.78\.0\.2:7405 was refused with an ICMP port unreachable \(type 3 code 3\) from 10\.78\.0\.2: a REJECT rule \(iptables REJECT's default, nft reject\) on 10\.78\.0\.2 itself\. A closed TCP port answers with a reset, never with ICMP/m, text);
});

test('admin-prohibited from the server is said as such', { timeout: 60_000 }, () => {
  const { text, doc } = tryConnect(7407);
  assert.deepEqual(doc.call.icmp, { version: 4, type: 3, code: 13, from: '10.78.0.2' });
  assert.match(doc.interpretation.summary, /refused with an ICMP communication administratively prohibited \(type 3 code 13\) from 10\.78\.0\.2: a REJECT rule with admin-prohibited \(nft reject with icmp admin-prohibited or icmpx admin-prohibited, iptables --reject-with icmp-admin-prohibited\) on/);
  assert.doesNotMatch(doc.interpretation.summary, /host-prohibited/);
  assert.match(text, /EHOSTUNREACH|ECONNREFUSED/);
});

test('host-prohibited (code 10, iptables icmp-host-prohibited) is named by its own rule, not by admin-prohibited\'s', { timeout: 60_000 }, () => {
  const { doc } = tryConnect(7423);
  assert.deepEqual(doc.call.icmp, { version: 4, type: 3, code: 10, from: '10.78.0.2' });
  assert.match(doc.interpretation.summary, /^10\.78\.0\.2:7423 was refused with an ICMP host administratively prohibited \(type 3 code 10\) from 10\.78\.0\.2: a REJECT rule with host-prohibited \(nft reject with icmp host-prohibited, iptables --reject-with icmp-host-prohibited\) on 10\.78\.0\.2 itself/);
  assert.doesNotMatch(doc.interpretation.summary, /admin-prohibited|icmpx/);
});

test('a REJECT rule on a router names the router, not the server', { timeout: 60_000 }, () => {
  const { doc } = tryConnect(7409);
  assert.deepEqual(doc.call.icmp, { version: 4, type: 3, code: 3, from: '10.77.0.254' });
  assert.match(doc.interpretation.summary, /from 10\.77\.0\.254: a REJECT rule .* on 10\.77\.0\.254, a router or firewall on the way/);
});

test('a refusal with no ICMP error queued is the server kernel\'s TCP reset', { timeout: 60_000 }, () => {
  const { doc } = tryConnect(7408);
  assert.equal(doc.call.errno, 'ECONNREFUSED');
  assert.equal(doc.call.icmp, null);
  assert.match(doc.interpretation.summary, /^10\.78\.0\.2:7408 answered with a TCP reset \(no ICMP error came back\): nothing listens there, or a firewall rejects it \(a REJECT rule with tcp-reset\)/);
});

test('debug-connections reads the same on a second attempt of its own: the router\'s REJECT, and a reset', { timeout: 60_000 }, () => {
  const r = sockscope(['debug-connections', '--address', '10.78.0.2:7409', '--timeout', '3s', '--json'], { netns: C });
  assert.equal(r.status, 0, r.stdout + r.stderr); // the probe ran and was explained
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.addresses[0].icmp, { version: 4, type: 3, code: 3, from: '10.77.0.254' });
  assert.match(doc.addresses[0].diagnosis.summary, /with an ICMP port unreachable \(type 3 code 3\) from 10\.77\.0\.254: .* on 10\.77\.0\.254, a router or firewall on the way/);
  const text = sockscope(['debug-connections', '--address', '10.78.0.2:7408', '--timeout', '3s'], { netns: C });
  assert.match(text.stdout, /^Verdict: 10\.78\.0\.2:7408 refuses connections with a TCP reset \(no ICMP error came back\)/m, text.stdout);
});

test('try sendto: an ICMP port unreachable from a router is its REJECT rule, not the server\'s closed port', { timeout: 60_000 }, () => {
  const r = sockscope(['try', 'sendto', '10.78.0.2:7409', '--json'], { netns: C });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.call.errno, 'ECONNREFUSED');
  assert.deepEqual(doc.call.icmp, { version: 4, type: 3, code: 3, from: '10.77.0.254' });
  assert.equal(doc.interpretation.summary, '10.78.0.2:7409: an ICMP port unreachable (type 3 code 3) from 10.77.0.254 came back: 10.77.0.254 is a router or firewall on the way, not the server, so a REJECT rule there refuses the datagram before it arrives');
  // From the server itself: a closed port (the kernel's own answer for UDP) or a REJECT rule there, named with its sender.
  const own = JSON.parse(sockscope(['try', 'sendto', '10.78.0.2:7410', '--json'], { netns: C }).stdout);
  assert.deepEqual(own.call.icmp, { version: 4, type: 3, code: 3, from: '10.78.0.2' });
  assert.equal(own.interpretation.summary, '10.78.0.2:7410: an ICMP port unreachable came back: nothing receives on UDP port 7410 there, or a firewall rejects it; the ICMP port unreachable (type 3 code 3) from 10.78.0.2 is the destination\'s own answer, so no router on the way rejected it (a REJECT rule would be on 10.78.0.2 itself)');
});

test('a host unreachable the destination sends about itself is its REJECT rule, not a broken path', { timeout: 60_000 }, () => {
  const { doc } = tryConnect(7421);
  assert.deepEqual(doc.call.icmp, { version: 4, type: 3, code: 1, from: '10.78.0.2' });
  assert.match(doc.interpretation.summary, /^10\.78\.0\.2:7421 was refused with an ICMP host unreachable \(type 3 code 1\) from 10\.78\.0\.2: a REJECT rule with host unreachable .* on 10\.78\.0\.2 itself\. A host does not report itself unreachable/);
});

test('IPv6: admin-prohibited (EACCES) is the server\'s REJECT rule, not this host\'s security policy, with ip6tables steps', { timeout: 60_000 }, () => {
  const t = JSON.parse(sockscope(['try', 'connect', '[fd78::2]:7422', '--timeout', '3s', '--json'], { netns: C }).stdout);
  assert.equal(t.call.errno, 'EACCES');
  assert.deepEqual(t.call.icmp, { version: 6, type: 1, code: 1, from: 'fd78::2' });
  assert.match(t.interpretation.summary, /^\[fd78::2\]:7422 was refused with an ICMPv6 administratively prohibited \(type 1 code 1\) from fd78::2: a REJECT rule with admin-prohibited \(nft reject with icmpv6 admin-prohibited or icmpx admin-prohibited, ip6tables --reject-with icmp6-adm-prohibited\) on fd78::2 itself/);
  assert.doesNotMatch(t.interpretation.summary, /SELinux|AppArmor/);
  assert.ok(t.interpretation.nextSteps.some((x: string) => x.includes('ip6tables -S | grep REJECT')), t.interpretation.nextSteps.join('\n'));
  const d = JSON.parse(sockscope(['debug-connections', '--address', '[fd78::2]:7422', '--timeout', '3s', '--json'], { netns: C }).stdout);
  assert.deepEqual(d.addresses[0].icmp, t.call.icmp);
  assert.equal(d.addresses[0].diagnosis.summary, t.interpretation.summary);
});

test('try sendto to the server spelled another way: its port unreachable is still the server\'s, not a router\'s', { timeout: 60_000 }, () => {
  const doc = JSON.parse(sockscope(['try', 'sendto', '[FD78:0:0:0::2]:7410', '--json'], { netns: C }).stdout);
  assert.deepEqual(doc.call.icmp, { version: 6, type: 1, code: 4, from: 'fd78::2' });
  assert.doesNotMatch(doc.interpretation.summary, /router or firewall on the way/);
  assert.match(doc.interpretation.summary, /nothing receives on UDP port 7410 there, or a firewall rejects it; the ICMPv6 port unreachable \(type 1 code 4\) from fd78::2 is the destination's own answer/);
});

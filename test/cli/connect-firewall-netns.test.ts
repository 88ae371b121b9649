// How `try connect|sendto` and debug-connections explain failures that firewall rules cause, on real sockets in two
// network namespaces this test creates (a veth pair 10.1.1.1/24 <-> 10.1.1.2/24) with real nft rules inside them:
// an ICMP admin-prohibited reject from a peer whose neighbour entry is REACHABLE (not an ARP failure), the same reject
// on a loopback listener (no ARP on loopback: a REJECT rule on this host), a DROP rule in front of a local listener
// whose queue has room (not "a host that is down"), sendto ending in EHOSTUNREACH (explained with the neighbour entry
// as connect is), and a refusal that is an ICMP port unreachable, not a reset. Needs root (as CI), iproute2, nftables
// (.ci/apt-packages.txt) and python3: fails, never skips, without them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { deleteNetns, netnsHolder, vethPair } from '../helpers/netns.js';

const A = `sfwa-${process.pid}`; // 10.1.1.1 on VA: where sockscope runs; loopback listeners behind rules
const B = `sfwb-${process.pid}`; // 10.1.1.2 on VB: a listener behind an admin-prohibited reject
const VA = `sfa${process.pid % 100000}`;
const VB = `sfb${process.pid % 100000}`;
const children: ChildProcess[] = [];
let holderA = 0;

/** Loads an nft ruleset inside namespace `ns` (never on the host). */
function nft(ns: string, rules: string[]): void {
  const text = ['table inet sockscope_test {', '  chain input {', '    type filter hook input priority 0', ...rules.map((r) => `    ${r}`), '  }', '}', ''].join('\n');
  const r = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: text, encoding: 'utf8' });
  assert.equal(r.status, 0, `nft (Debian package nftables) is required: ${r.stderr}`);
}

before(async () => {
  assert.equal(spawnSync('nft', ['--version']).error, undefined, 'nft (Debian package nftables) is required');
  vethPair(A, B, VA, VB, '10.1.1');
  nft(B, ['tcp dport 45903 reject with icmpx admin-prohibited', 'udp dport 45905 reject with icmpx admin-prohibited']);
  nft(A, ['tcp dport 45703 reject with icmpx admin-prohibited', 'tcp dport 45702 drop', 'tcp dport 45704 reject with icmpx port-unreachable']);
  children.push(await netnsHolder(B, 's = socket.socket(); s.bind(("0.0.0.0", 45903)); s.listen(16)'));
  const h = await netnsHolder(
    A,
    ['keep = []', ...[45703, 45702, 45704].map((p) => `x = socket.socket(); x.bind(("127.0.0.1", ${p})); x.listen(16); keep.append(x)`)].join('\n'),
  );
  children.push(h);
  holderA = h.pid!; // `ip netns exec` execs python3: the same process
});

after(() => {
  for (const c of children) c.kill('SIGKILL');
  deleteNetns(A);
  deleteNetns(B);
  const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  assert.ok(!left.includes(A) && !left.includes(B), 'namespaces deleted');
});

const inA = (args: string[]) => sockscope(args, { netns: A });
const json = (args: string[]) => {
  const r = inA([...args, '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
};
const probe = (address: string, timeout = '2s') => json(['debug-connections', '--address', address, '--timeout', timeout]);
const lines = (xs: string[]) => xs.join('\n');

test('EHOSTUNREACH from a peer whose neighbour entry is REACHABLE: an ICMP reject came back (a REJECT rule there), not an ARP failure', { timeout: 60_000 }, () => {
  const t = json(['try', 'connect', '10.1.1.2:45903']);
  assert.equal(t.call.errno, 'EHOSTUNREACH');
  assert.equal(t.context.connectFacts.neighbour.state, 'REACHABLE', JSON.stringify(t.context.connectFacts));
  const s = t.interpretation.summary;
  // The error read from the socket (IP_RECVERR) names its kind and sender: the peer's own REJECT rule.
  assert.deepEqual(t.call.icmp, { version: 4, type: 3, code: 13, from: '10.1.1.2' });
  assert.match(s, /^10\.1\.1\.2:45903 was refused with an ICMP communication administratively prohibited \(type 3 code 13\) from 10\.1\.1\.2: a REJECT rule with admin-prohibited .* on 10\.1\.1\.2 itself/);
  assert.doesNotMatch(s, /no ARP|ARP\/ND answer/);
  assert.ok(!t.interpretation.nextSteps.some((x: string) => /INCOMPLETE\/FAILED/.test(x)), lines(t.interpretation.nextSteps));
  assert.ok(t.interpretation.nextSteps.some((x: string) => /^on 10\.1\.1\.2: nft list ruleset \| grep -n reject; iptables -S \| grep REJECT +\(the rule that answers port 45903\)/.test(x)), lines(t.interpretation.nextSteps));
  const d = probe('10.1.1.2:45903').addresses[0];
  assert.equal(d.connect.errno, 'EHOSTUNREACH');
  assert.equal(d.diagnosis.summary, s);
  assert.deepEqual(d.diagnosis.nextSteps, t.interpretation.nextSteps);
});

test('EHOSTUNREACH on a loopback listener: a REJECT rule on this host, the listener named, no ARP', { timeout: 60_000 }, () => {
  const t = json(['try', 'connect', '127.0.0.1:45703']);
  assert.equal(t.call.errno, 'EHOSTUNREACH');
  const want = new RegExp(`^127\\.0\\.0\\.1:45703: python3/${holderA} listens on 127\\.0\\.0\\.1:45703, which takes this connection, yet an ICMP communication administratively prohibited \\(type 3 code 13\\) from 127\\.0\\.0\\.1 came back: a REJECT rule on this host`);
  assert.match(t.interpretation.summary, want);
  assert.doesNotMatch(t.interpretation.summary, /no ARP\/ND answer/);
  assert.ok(!t.interpretation.nextSteps.some((x: string) => /ip neigh/.test(x)), lines(t.interpretation.nextSteps));
  assert.ok(t.interpretation.nextSteps.some((x: string) => /^nft list ruleset; iptables -S INPUT; iptables -S OUTPUT .*REJECT rule for tcp port 45703/.test(x)), lines(t.interpretation.nextSteps));
  const d = probe('127.0.0.1:45703').addresses[0];
  assert.equal(d.connect.errno, 'EHOSTUNREACH');
  assert.match(d.diagnosis.summary, want);
});

test('a timeout against a local listener with room in its queue: a DROP rule on this host, the listener named; not a host that is down', { timeout: 60_000 }, () => {
  const t = json(['try', 'connect', '127.0.0.1:45702', '--timeout', '1s']);
  assert.equal(t.call.errno, 'ETIMEDOUT');
  const want = new RegExp(`^no answer from 127\\.0\\.0\\.1:45702 within 1000 ms: python3/${holderA} listens on 127\\.0\\.0\\.1:45702 on this host, and its accept queue has room \\(0 waiting for accept\\(\\), backlog 16\\), so the kernel would have answered the SYN: a DROP rule on this host`);
  assert.match(t.interpretation.summary, want);
  assert.doesNotMatch(t.interpretation.summary, /host that is down/);
  assert.ok(!t.interpretation.nextSteps.some((x: string) => /^ping |traceroute/.test(x)), lines(t.interpretation.nextSteps));
  assert.ok(t.interpretation.nextSteps.some((x: string) => /^nft list ruleset; iptables -S INPUT; iptables -S OUTPUT .*DROP rule for tcp port 45702/.test(x)), lines(t.interpretation.nextSteps));
  const d = probe('127.0.0.1:45702', '1s');
  assert.equal(d.addresses[0].connect.errno, 'ETIMEDOUT');
  assert.match(d.addresses[0].diagnosis.summary, want);
  assert.ok(!d.verdict.nextSteps.some((x: string) => /^ping /.test(x)), lines(d.verdict.nextSteps));
});

test('try sendto ending in EHOSTUNREACH is explained as connect is: no ARP reply (FAILED), or an ICMP reject from a neighbour that answered', { timeout: 60_000 }, () => {
  const t = json(['try', 'sendto', '10.1.1.7:9', '--timeout', '4s']);
  assert.equal(t.call.errno, 'EHOSTUNREACH', JSON.stringify(t.call));
  assert.match(t.context.connectFacts.neighbour.state, /^(FAILED|INCOMPLETE)$/, JSON.stringify(t.context.connectFacts));
  assert.match(t.interpretation.summary, new RegExp(`^10\\.1\\.1\\.7:9: no ARP reply from 10\\.1\\.1\\.7 on ${VA} \\(neighbour entry (FAILED|INCOMPLETE)\\): the datagram never left this host`));
  assert.ok(t.interpretation.nextSteps.some((x: string) => x.startsWith(`arping -c 3 -I ${VA} 10.1.1.7`)), lines(t.interpretation.nextSteps));
  assert.ok(t.interpretation.details.some((x: string) => x.startsWith('EHOSTUNREACH: ')), lines(t.interpretation.details));
  const text = inA(['try', 'sendto', '10.1.1.7:9', '--timeout', '4s']);
  assert.match(text.stdout, /\nFailed: 10\.1\.1\.7:9: no ARP reply from 10\.1\.1\.7/);
  assert.match(text.stdout, /\nNext steps:\n/);
  const r = json(['try', 'sendto', '10.1.1.2:45905']);
  assert.equal(r.call.errno, 'EHOSTUNREACH', JSON.stringify(r.call));
  assert.equal(r.context.connectFacts.neighbour.state, 'REACHABLE');
  assert.match(r.interpretation.summary, new RegExp(`^10\\.1\\.1\\.2:45905: 10\\.1\\.1\\.2 answers ARP on ${VA} \\([0-9a-f:]+\\), so the datagram reached it, and an ICMP communication administratively prohibited \\(type 3 code 13\\) from 10\\.1\\.1\\.2 came back: a REJECT rule on 10\\.1\\.1\\.2`));
  assert.ok(r.interpretation.nextSteps.some((x: string) => /REJECT rule for udp port 45905/.test(x)), lines(r.interpretation.nextSteps));
});

test('refused is a reset or an ICMP port unreachable: a local listener behind `reject with icmpx port-unreachable`, a remote port with no listener', { timeout: 60_000 }, () => {
  const t = json(['try', 'connect', '127.0.0.1:45704']);
  assert.equal(t.call.errno, 'ECONNREFUSED');
  const want = new RegExp(`^127\\.0\\.0\\.1:45704: python3/${holderA} listens on 127\\.0\\.0\\.1:45704, which takes this connection, yet it was refused with an ICMP port unreachable \\(type 3 code 3\\) from 127\\.0\\.0\\.1: a REJECT rule on this host`);
  assert.match(t.interpretation.summary, want);
  assert.doesNotMatch(t.interpretation.summary, /rejected it with a reset/);
  assert.ok(t.interpretation.nextSteps.some((x: string) => /tcp-reset, or icmp-port-unreachable/.test(x)), lines(t.interpretation.nextSteps));
  assert.match(probe('127.0.0.1:45704').addresses[0].diagnosis.summary, want);
  const remote = json(['try', 'connect', '10.1.1.2:45904']);
  assert.equal(remote.call.errno, 'ECONNREFUSED');
  // No ICMP error queued: a reset (nothing listens there, or a REJECT rule with tcp-reset).
  assert.equal(remote.call.icmp, null);
  assert.match(remote.interpretation.summary, /^10\.1\.1\.2:45904 answered with a TCP reset \(no ICMP error came back\): nothing listens there, or a firewall rejects it \(a REJECT rule with tcp-reset\)/);
  assert.ok(remote.interpretation.nextSteps.some((x: string) => /tcp-reset, or icmp-port-unreachable/.test(x)), lines(remote.interpretation.nextSteps));
  assert.ok(!remote.interpretation.nextSteps.some((x: string) => /look for REJECT --reject-with tcp-reset rules/.test(x)));
});

// debug-connections --udp sends with Node's dgram, which sees an ICMP error only as an errno (ECONNREFUSED for a port
// unreachable, EHOSTUNREACH for admin-prohibited...), not who sent it nor its type and code. Like the TCP path, the
// probe sends once more on sockscope's own socket (IP_RECVERR, recvmsg(MSG_ERRQUEUE)) and names the ICMP error and its
// sender: the destination itself, a router on the way, or this host. Three namespaces of this test: a client, a router
// and a server, joined by two veth pairs; nft reject rules on the router (forward) and on the server (input, with a
// UDP socket bound behind it). Needs root (as CI), iproute2, nftables, python3: fails, never skips.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { ProbeResultSchema } from '../../src/index.js';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { deleteNetns, netnsHolder, routedNetns } from '../helpers/netns.js';

const id = process.pid % 100000;
const C = `uicmp-c-${id}`;
const R = `uicmp-r-${id}`;
const S = `uicmp-s-${id}`;
let holder: ChildProcess | undefined;

function run(cmd: string, args: string[], input?: string): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input });
  assert.equal(r.error, undefined, `${cmd} is required`);
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
}

before(async () => {
  routedNetns(C, R, S, `u${id}`);
  // The router rejects udp 7409 (nft's default: port unreachable) and 7411 (admin-prohibited) on the way.
  run('ip', ['netns', 'exec', R, 'nft', '-f', '-'], 'table inet t {\n chain forward {\n  type filter hook forward priority 0;\n  udp dport 7409 reject\n  udp dport 7411 reject with icmpx admin-prohibited\n }\n}\n');
  // The server: a UDP socket on 0.0.0.0:7412, behind a REJECT rule of its own host.
  run('ip', ['netns', 'exec', S, 'nft', '-f', '-'], 'table inet t {\n chain input {\n  type filter hook input priority 0;\n  udp dport 7412 reject\n }\n}\n');
  holder = await netnsHolder(S, "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nu.bind(('0.0.0.0', 7412))");
});

after(() => {
  holder?.kill('SIGKILL');
  for (const ns of [C, R, S]) deleteNetns(ns);
});

interface Doc {
  verdict: { ok: boolean; summary: string; nextSteps: string[] };
  addresses: { icmp?: unknown; datagram: { errno?: string }; diagnosis: { summary: string; nextSteps: string[] } }[];
}

function probe(address: string, ns = C): Doc {
  const r = sockscope(['debug-connections', '--udp', '--address', address, '--timeout', '2s', '--json'], { netns: ns });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return JSON.parse(r.stdout) as Doc;
}

test('no socket on the server: the ICMP port unreachable is named as the destination\'s own answer, with its type and code', { timeout: 60_000 }, () => {
  const doc = probe('10.78.0.2:7410');
  assert.equal(doc.addresses[0].datagram.errno, 'ECONNREFUSED');
  assert.deepEqual(doc.addresses[0].icmp, { version: 4, type: 3, code: 3, from: '10.78.0.2' });
  assert.equal(
    doc.addresses[0].diagnosis.summary,
    "10.78.0.2:7410: an ICMP port unreachable came back: nothing receives on UDP port 7410 there, or a firewall rejects it; the ICMP port unreachable (type 3 code 3) from 10.78.0.2 is the destination's own answer, so no router on the way rejected it (a REJECT rule would be on 10.78.0.2 itself)",
  );
  assert.ok(doc.verdict.nextSteps.includes('on 10.78.0.2: nft list ruleset | grep -n reject; iptables -S | grep REJECT   (a REJECT rule for udp port 7410)'), doc.verdict.nextSteps.join('\n'));
});

test('a REJECT rule on a router names the router, not the server', { timeout: 60_000 }, () => {
  const doc = probe('10.78.0.2:7409');
  assert.equal(doc.addresses[0].datagram.errno, 'ECONNREFUSED');
  assert.deepEqual(doc.addresses[0].icmp, { version: 4, type: 3, code: 3, from: '10.77.0.254' });
  assert.equal(doc.addresses[0].diagnosis.summary, '10.78.0.2:7409: an ICMP port unreachable (type 3 code 3) from 10.77.0.254 came back: 10.77.0.254 is a router or firewall on the way, not the server, so a REJECT rule there refuses the datagram before it arrives');
  assert.equal(doc.verdict.summary, '10.78.0.2:7409 (UDP): an ICMP port unreachable (type 3 code 3) from 10.77.0.254 came back: 10.77.0.254 is a router or firewall on the way, not the server, so a REJECT rule there refuses the datagram before it arrives');
  assert.ok(doc.verdict.nextSteps.includes('on 10.77.0.254: nft list ruleset | grep -n reject; iptables -S | grep REJECT   (the rule for udp port 7409)'), doc.verdict.nextSteps.join('\n'));
  // The human-readable report says the same.
  const text = sockscope(['debug-connections', '--udp', '--address', '10.78.0.2:7409', '--timeout', '2s'], { netns: C }).stdout;
  assert.match(text, /^Verdict: 10\.78\.0\.2:7409 \(UDP\): an ICMP port unreachable \(type 3 code 3\) from 10\.77\.0\.254 came back: 10\.77\.0\.254 is a router/m, text);
});

test('admin-prohibited from a router (EHOSTUNREACH): the router\'s REJECT rule, not a host that is down', { timeout: 60_000 }, () => {
  const doc = probe('10.78.0.2:7411');
  assert.equal(doc.addresses[0].datagram.errno, 'EHOSTUNREACH');
  assert.deepEqual(doc.addresses[0].icmp, { version: 4, type: 3, code: 13, from: '10.77.0.254' });
  assert.equal(doc.addresses[0].diagnosis.summary, '10.78.0.2:7411: an ICMP communication administratively prohibited (type 3 code 13) from 10.77.0.254 came back: a REJECT rule on 10.77.0.254, a router or firewall on the way, refuses udp port 7411 before the datagram reaches 10.78.0.2');
});

test('a REJECT rule on this host, in front of a UDP socket that would receive the datagram', { timeout: 60_000 }, () => {
  const doc = probe('127.0.0.1:7412', S);
  assert.equal(doc.addresses[0].datagram.errno, 'ECONNREFUSED');
  assert.deepEqual(doc.addresses[0].icmp, { version: 4, type: 3, code: 3, from: '127.0.0.1' });
  assert.match(doc.addresses[0].diagnosis.summary, new RegExp(`^127\\.0\\.0\\.1:7412: python3/\\d+ on 0\\.0\\.0\\.0:7412 would receive it, yet an ICMP port unreachable \\(type 3 code 3\\) from 127\\.0\\.0\\.1 came back: a REJECT rule on this host rejects udp port 7412`));
  assert.ok(doc.addresses[0].diagnosis.nextSteps.includes('on this host: nft list ruleset | grep -n reject; iptables -S | grep REJECT   (a REJECT rule for udp port 7412)'), doc.addresses[0].diagnosis.nextSteps.join('\n'));
});

test('IPv6: a router\'s REJECT (ICMPv6 port unreachable) and the server\'s closed port, each named by its sender', { timeout: 60_000 }, () => {
  const router = probe('[fd78::2]:7409');
  assert.equal(router.addresses[0].datagram.errno, 'ECONNREFUSED');
  assert.deepEqual(router.addresses[0].icmp, { version: 6, type: 1, code: 4, from: 'fd77::fe' });
  assert.equal(router.addresses[0].diagnosis.summary, '[fd78::2]:7409: an ICMPv6 port unreachable (type 1 code 4) from fd77::fe came back: fd77::fe is a router or firewall on the way, not the server, so a REJECT rule there refuses the datagram before it arrives');
  assert.ok(router.verdict.nextSteps.includes('on fd77::fe: nft list ruleset | grep -n reject; ip6tables -S | grep REJECT   (the rule for udp port 7409)'), router.verdict.nextSteps.join('\n'));
  const own = probe('[fd78::2]:7410');
  assert.deepEqual(own.addresses[0].icmp, { version: 6, type: 1, code: 4, from: 'fd78::2' });
  assert.match(own.addresses[0].diagnosis.summary, /the ICMPv6 port unreachable \(type 1 code 4\) from fd78::2 is the destination's own answer/);
});

test('--json with the ICMP error validates against ProbeResultSchema, whole', { timeout: 60_000 }, () => {
  for (const address of ['10.78.0.2:7409', '[fd78::2]:7410']) {
    const doc = probe(address);
    assert.ok(doc.addresses[0].icmp && typeof doc.addresses[0].icmp === 'object', `${address}: icmp set`);
    const parsed = ProbeResultSchema.safeParse(doc);
    assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
    assert.deepEqual(parsed.data, doc, 'a field the schema does not describe');
  }
});

test('try sendto is unchanged: the router named, the server\'s closed port in its own words', { timeout: 60_000 }, () => {
  const doc = JSON.parse(sockscope(['try', 'sendto', '10.78.0.2:7409', '--json'], { netns: C }).stdout);
  assert.deepEqual(doc.call.icmp, { version: 4, type: 3, code: 3, from: '10.77.0.254' });
  assert.equal(doc.interpretation.summary, '10.78.0.2:7409: an ICMP port unreachable (type 3 code 3) from 10.77.0.254 came back: 10.77.0.254 is a router or firewall on the way, not the server, so a REJECT rule there refuses the datagram before it arrives');
  const own = JSON.parse(sockscope(['try', 'sendto', '10.78.0.2:7410', '--json'], { netns: C }).stdout);
  assert.equal(own.interpretation.summary, '10.78.0.2:7410: an ICMP port unreachable came back: nothing receives on UDP port 7410 there, or a firewall rejects it; the ICMP port unreachable (type 3 code 3) from 10.78.0.2 is the destination\'s own answer, so no router on the way rejected it (a REJECT rule would be on 10.78.0.2 itself)');
});

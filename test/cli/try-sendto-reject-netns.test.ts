// try sendto refused on this host: a REJECT rule in front of a UDP socket that would receive the datagram read
// "nothing listens on UDP port P there"; an OUTPUT rule (sendto fails with EPERM) and a subnet broadcast address
// without SO_BROADCAST (EACCES) read "sendto failed with EPERM/EACCES". In a namespace of this test with nft rules.
// Needs root (as CI), iproute2, nftables, python3: fails, never skips.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { createNetns, deleteNetns, netnsHolder } from '../helpers/netns.js';

const NS = `sockscope-tryrej-${process.pid}`;
let holder: ChildProcess | undefined;

before(async () => {
  createNetns(NS, [
    ['link', 'add', 'tr0', 'type', 'veth', 'peer', 'name', 'tr1'],
    ['addr', 'add', '10.78.0.1/24', 'dev', 'tr0'],
    ['link', 'set', 'tr0', 'up'],
    ['link', 'set', 'tr1', 'up'],
  ]);
  const rules = 'table inet t {\n chain output {\n  type filter hook output priority 0;\n  udp dport 7413 reject\n }\n chain input {\n  type filter hook input priority 0;\n  udp dport 7412 reject\n }\n}\n';
  const r = spawnSync('ip', ['netns', 'exec', NS, 'nft', '-f', '-'], { input: rules, encoding: 'utf8' });
  assert.equal(r.error, undefined, 'nft is required');
  assert.equal(r.status, 0, r.stderr);
  holder = await netnsHolder(NS, "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nu.bind(('127.0.0.1', 7412))");
});
after(() => {
  holder?.kill('SIGKILL');
  deleteNetns(NS);
});

const trySendto = (target: string) => {
  const r = sockscope(['try', 'sendto', target, '--json'], { netns: NS });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { call: { errno?: string }; interpretation: { summary: string; nextSteps: string[] } };
  return { errno: doc.call.errno, summary: doc.interpretation.summary, steps: doc.interpretation.nextSteps.join('\n') };
};

test('a REJECT rule in front of a bound UDP socket is named, not "nothing listens"', () => {
  const r = trySendto('127.0.0.1:7412');
  assert.equal(r.errno, 'ECONNREFUSED');
  assert.match(r.summary, /python3\/\d+ on 127\.0\.0\.1:7412 would receive it, yet an ICMP port unreachable .* came back: a REJECT rule on this host rejects udp port 7412/);
  assert.doesNotMatch(r.summary, /nothing listens/);
  // Without a rule and a socket: still the kernel's answer.
  assert.match(trySendto('127.0.0.1:7999').summary, /nothing listens on UDP port 7999 there/);
});

test('an OUTPUT rule: EPERM is the firewall on this host, not "sendto failed with EPERM"', () => {
  const r = trySendto('10.78.0.9:7413');
  assert.equal(r.errno, 'EPERM');
  assert.match(r.summary, /^10\.78\.0\.9:7413: the datagram was refused on this host before it left: a firewall rule in OUTPUT drops or rejects it/);
  assert.match(r.steps, /nft list ruleset; iptables -S OUTPUT/);
});

test('a subnet broadcast address without SO_BROADCAST: EACCES says so', () => {
  const r = trySendto('10.78.0.255:9');
  assert.equal(r.errno, 'EACCES');
  assert.match(r.summary, /10\.78\.0\.255 is a broadcast address and the socket has no SO_BROADCAST/);
  assert.match(r.steps, /ip route get 10\.78\.0\.255/);
});

test('sendto 255.255.255.255 with no route for it: no route, not "TCP connects to one host only"', () => {
  const r = trySendto('255.255.255.255:9');
  assert.equal(r.errno, 'ENETUNREACH');
  assert.doesNotMatch(r.summary, /TCP|connect\(\)/);
  assert.match(r.summary, /no route/);
});

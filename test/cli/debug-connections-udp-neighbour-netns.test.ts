// debug-connections --udp to an on-link address nobody answers ARP for, with --timeout 1s: the kernel gives up on the
// lookup (EHOSTUNREACH) only after about 3 s, so it said "the server may have received it and not answered ... or a
// firewall dropped it" while `ip neigh` showed the entry INCOMPLETE: the datagram never left (review s17 #2). Two
// namespaces of this test joined by a veth pair; the peer drops udp port 5302 (its neighbour entry answers).
// Needs root (as CI), iproute2, nftables: fails, never skips.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { deleteNetns, vethPair } from '../helpers/netns.js';

const A = `sockscope-udnA-${process.pid}`;
const B = `sockscope-udnB-${process.pid}`;
const IF = `udn${process.pid % 100000}`;

before(() => {
  vethPair(A, B, IF, `${IF}p`, '10.94.0');
  const rules = 'table inet t {\n chain input {\n  type filter hook input priority 0;\n  udp dport 5302 drop\n }\n}\n';
  const r = spawnSync('ip', ['netns', 'exec', B, 'nft', '-f', '-'], { input: rules, encoding: 'utf8' });
  assert.equal(r.error, undefined, 'nft is required');
  assert.equal(r.status, 0, r.stderr);
});
after(() => {
  deleteNetns(A);
  deleteNetns(B);
});

const probe = (address: string) => {
  const r = sockscope(['debug-connections', '--udp', '--address', address, '--timeout', '1s', '--json'], { netns: A });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
};

test('no ARP answer within the wait: the datagram never left, said from the neighbour entry', { timeout: 60_000 }, () => {
  const doc = probe('10.94.0.8:53');
  const d = doc.addresses[0].diagnosis;
  assert.equal(d.category, 'unreachable', d.summary);
  assert.match(d.summary, new RegExp(`^10\\.94\\.0\\.8:53: no ARP reply from 10\\.94\\.0\\.8 on ${IF} \\(neighbour entry (INCOMPLETE|FAILED)\\): the datagram never left this host`), d.summary);
  assert.doesNotMatch(doc.verdict.summary, /may have received it/);
  assert.ok(doc.verdict.nextSteps.some((s: string) => s.startsWith('ip neigh show 10.94.0.8')), doc.verdict.nextSteps.join('\n'));
});

test('an answered neighbour and a dropped datagram: still unconfirmed, never "never left"', { timeout: 60_000 }, () => {
  const d = probe('10.94.0.2:5302').addresses[0].diagnosis;
  assert.equal(d.category, 'timeout', d.summary);
  assert.match(d.summary, /no reply and no ICMP error within 1000 ms/);
});

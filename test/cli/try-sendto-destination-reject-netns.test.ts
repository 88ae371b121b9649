// try sendto answered with a port unreachable by the destination itself: a closed port or a REJECT rule there (a UDP
// server bound on 0.0.0.0 behind `udp dport P reject`). try said only "nothing listens on UDP port P there" and
// "on that host: ss -lunp", never the firewall, while debug-connections --udp said both (review s17 #1); and for this
// host's own closed port, "on that host". Two namespaces of this test joined by a veth pair, nft in the peer.
// Needs root (as CI), iproute2, nftables, python3: fails, never skips.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { deleteNetns, netnsHolder, vethPair } from '../helpers/netns.js';

const A = `sockscope-sdra-${process.pid}`;
const B = `sockscope-sdrb-${process.pid}`;
let holder: ChildProcess | undefined;

before(async () => {
  vethPair(A, B, `sda${process.pid % 10000}`, `sdb${process.pid % 10000}`, '10.93.0');
  const rules = 'table inet t {\n chain input {\n  type filter hook input priority 0;\n  udp dport 5301 reject\n }\n}\n';
  const r = spawnSync('ip', ['netns', 'exec', B, 'nft', '-f', '-'], { input: rules, encoding: 'utf8' });
  assert.equal(r.error, undefined, 'nft is required');
  assert.equal(r.status, 0, r.stderr);
  holder = await netnsHolder(B, "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nu.bind(('0.0.0.0', 5301))");
});
after(() => {
  holder?.kill('SIGKILL');
  deleteNetns(A);
  deleteNetns(B);
});

const json = (args: string[]) => {
  const r = sockscope([...args, '--json'], { netns: A });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
};

test('a port unreachable from the destination: a closed port or a firewall there, as debug-connections --udp says', { timeout: 60_000 }, () => {
  const doc = json(['try', 'sendto', '10.93.0.2:5301']);
  assert.equal(doc.call.errno, 'ECONNREFUSED');
  assert.equal(doc.call.icmp?.from, '10.93.0.2');
  const { summary, nextSteps } = doc.interpretation as { summary: string; nextSteps: string[] };
  assert.match(summary, /nothing receives on UDP port 5301 there, or a firewall rejects it/);
  assert.ok(nextSteps.some((s) => s.includes('nft list ruleset') && s.startsWith('on 10.93.0.2:')), nextSteps.join('\n'));
  assert.ok(nextSteps.some((s) => s.includes("ss -lunp 'sport = :5301'")), nextSteps.join('\n'));
  const d = json(['debug-connections', '--udp', '--address', '10.93.0.2:5301']);
  assert.equal(d.addresses[0].diagnosis.summary, summary, 'try and debug-connections --udp say the same');
});

test("this host's closed port: this host's check, not \"on that host\"", { timeout: 60_000 }, () => {
  const doc = json(['try', 'sendto', '127.0.0.1:5399']);
  assert.equal(doc.call.errno, 'ECONNREFUSED');
  const steps = (doc.interpretation.nextSteps as string[]).join('\n');
  assert.doesNotMatch(steps, /on that host/, steps);
  assert.match(steps, /ss -lunp 'sport = :5399'/);
});

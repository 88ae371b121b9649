// A refused connect is a TCP reset or an ICMP port unreachable, and ECONNREFUSED does not tell which: `try connect`
// and debug-connections must not say "answered with a reset" when an nft `reject` (inet: icmpx port-unreachable) sent
// the ICMP. A namespace this test creates, no listener on either port: 7405 behind `reject` (ICMP), 7406 behind
// `reject with tcp reset`, 7407 with no rule (the kernel's own reset). The ICMP counter of the namespace shows which
// came back, so the test knows it is checking both kinds. Needs root (as CI), iproute2, nftables: fails, never skips.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { createNetns, deleteNetns } from '../helpers/netns.js';

const NS = `srk-${process.pid}`;

before(() => {
  assert.equal(spawnSync('nft', ['--version']).error, undefined, 'nft (Debian package nftables) is required');
  createNetns(NS);
  const rules = ['table inet t {', '  chain input {', '    type filter hook input priority 0', '    tcp dport 7405 reject', '    tcp dport 7406 reject with tcp reset', '  }', '}', ''].join('\n');
  const r = spawnSync('ip', ['netns', 'exec', NS, 'nft', '-f', '-'], { input: rules, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

after(() => deleteNetns(NS));

/** IcmpInDestUnreachs of the namespace (/proc/net/snmp as a process inside it sees it). */
function icmpIn(): number {
  const r = spawnSync('ip', ['netns', 'exec', NS, 'cat', '/proc/net/snmp'], { encoding: 'utf8' });
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('Icmp:'));
  const [head, vals] = lines.map((l) => l.split(/\s+/));
  return Number(vals[head.indexOf('InDestUnreachs')]);
}

const json = (args: string[]) => {
  const r = sockscope([...args, '--json'], { netns: NS });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
};

// sockscope reads the ICMP error from its own socket (IP_RECVERR): an ICMP port unreachable is a REJECT rule, and no
// queued error is a reset (the kernel's with no listener, or `reject with tcp reset`, which it cannot tell apart).
const SAID_ICMP = (port: number) => new RegExp(`^127\\.0\\.0\\.1:${port} was refused with an ICMP port unreachable \\(type 3 code 3\\) from 127\\.0\\.0\\.1: a REJECT rule on this host \\(with no listener the kernel resets, never ICMP\\); nothing listens there either, nor on port ${port} at any other address of this host$`);
const SAID_RESET = (port: number) => new RegExp(`^127\\.0\\.0\\.1:${port} answered with a TCP reset \\(no ICMP error came back\\): nothing listens there, nor on port ${port} at any other address of this host$`);

for (const [port, kind, icmp] of [
  [7405, 'nft `reject` (icmpx port-unreachable)', true],
  [7406, 'nft `reject with tcp reset`', false],
  [7407, 'no rule (the kernel resets)', false],
] as const)
  test(`refused by ${kind}, nothing listening: said as ${icmp ? 'the ICMP port unreachable read from the socket' : 'a TCP reset (no ICMP error queued)'}`, { timeout: 60_000 }, () => {
    const before = icmpIn();
    const t = json(['try', 'connect', `127.0.0.1:${port}`]);
    assert.equal(t.call.errno, 'ECONNREFUSED');
    assert.equal(icmpIn() > before, icmp, `IcmpInDestUnreachs ${before} -> ${icmpIn()}`);
    assert.deepEqual(t.call.icmp, icmp ? { version: 4, type: 3, code: 3, from: '127.0.0.1' } : null);
    const said = icmp ? SAID_ICMP(port) : SAID_RESET(port);
    assert.match(t.interpretation.summary, said);
    // The REJECT rule the ICMP error proves is the first thing to look at; a reset has no rule to look for.
    assert.equal(t.interpretation.nextSteps.some((x: string) => x.startsWith('nft list ruleset | grep -n reject; iptables -S | grep REJECT')), icmp, t.interpretation.nextSteps.join('\n'));
    const d = json(['debug-connections', '--address', `127.0.0.1:${port}`, '--timeout', '2s']);
    assert.equal(d.addresses[0].connect.errno, 'ECONNREFUSED');
    assert.deepEqual(d.addresses[0].icmp, t.call.icmp);
    assert.match(d.addresses[0].diagnosis.summary, said);
    const verdict = icmp ? `127.0.0.1:${port} refuses connections with an ICMP port unreachable (type 3 code 3) from 127.0.0.1` : `127.0.0.1:${port} refuses connections with a TCP reset (no ICMP error came back)`;
    assert.equal(d.verdict.summary.split(': ')[0], verdict);
    const text = sockscope(['debug-connections', '--address', `127.0.0.1:${port}`, '--timeout', '2s'], { netns: NS }).stdout;
    assert.ok(text.includes(`\nVerdict: ${verdict}: `), text);
  });

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

const SAID = /^127\.0\.0\.1:(\d+) was refused \(a TCP reset or an ICMP port unreachable\): nothing listens there, nor on port \1 at any other address of this host/;

for (const [port, kind, icmp] of [
  [7405, 'nft `reject` (icmpx port-unreachable)', true],
  [7406, 'nft `reject with tcp reset`', false],
  [7407, 'no rule (the kernel resets)', false],
] as const)
  test(`refused by ${kind}, nothing listening: "refused (a TCP reset or an ICMP port unreachable)", never "answered with a reset"`, { timeout: 60_000 }, () => {
    const before = icmpIn();
    const t = json(['try', 'connect', `127.0.0.1:${port}`]);
    assert.equal(t.call.errno, 'ECONNREFUSED');
    assert.equal(icmpIn() > before, icmp, `IcmpInDestUnreachs ${before} -> ${icmpIn()}`);
    assert.match(t.interpretation.summary, SAID);
    assert.doesNotMatch(t.interpretation.summary, /answered with a reset/);
    assert.match(t.interpretation.summary, /\(with no listener the kernel resets; an ICMP port unreachable would be a REJECT rule here\)$/);
    const d = json(['debug-connections', '--address', `127.0.0.1:${port}`, '--timeout', '2s']);
    assert.equal(d.addresses[0].connect.errno, 'ECONNREFUSED');
    assert.match(d.addresses[0].diagnosis.summary, SAID);
    assert.equal(d.verdict.summary.split(': ')[0], `127.0.0.1:${port} refuses connections (a TCP reset or an ICMP port unreachable)`);
    assert.doesNotMatch(d.verdict.summary, /answered with a reset|was refused/);
    const text = sockscope(['debug-connections', '--address', `127.0.0.1:${port}`, '--timeout', '2s'], { netns: NS }).stdout;
    assert.match(text, new RegExp(`\\nVerdict: 127\\.0\\.0\\.1:${port} refuses connections \\(a TCP reset or an ICMP port unreachable\\): nothing listens there`));
  });

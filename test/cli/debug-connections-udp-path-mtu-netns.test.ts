// debug-connections --udp with a datagram larger than the path MTU: Linux sends UDP with DF set (IP_PMTUDISC_WANT),
// so the router with the smaller link drops it and answers with an ICMP fragmentation needed (ICMPv6 packet too big);
// the kernel then fails the socket with EMSGSIZE after the send returned. That is not the 65,507-byte limit, and the
// datagram did leave: the report names the path MTU and the router. A second datagram is fragmented by this host (the
// path MTU is cached) and the report says so. Three namespaces (client, router, server); the router's link to the
// server has MTU 1280. Needs root (as CI), iproute2: fails, never skips.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ProbeResultSchema } from '../../src/index.js';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { deleteNetns, routedNetns } from '../helpers/netns.js';

const id = process.pid % 100000;
const C = `pmtu-c-${id}`;
const R = `pmtu-r-${id}`;
const S = `pmtu-s-${id}`;
const tag = `m${id}`;
const payload = 'B'.repeat(1400);

before(() => {
  routedNetns(C, R, S, tag);
  for (const [ns, dev] of [[R, `${tag}q`], [S, `${tag}s`]]) {
    const r = spawnSync('ip', ['-n', ns, 'link', 'set', dev, 'mtu', '1280'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  // The router answers over IPv6 only once its link-local addresses are usable (DAD done).
  for (let i = 0; i < 50; i++) {
    if ([C, R, S].every((ns) => !/tentative/.test(spawnSync('ip', ['-n', ns, '-6', 'addr', 'show'], { encoding: 'utf8' }).stdout))) return;
    spawnSync('sleep', ['0.1']);
  }
  assert.fail('IPv6 addresses still tentative after 5 s');
});

after(() => {
  for (const ns of [C, R, S]) deleteNetns(ns);
});

interface Doc {
  verdict: { ok: boolean; summary: string; nextSteps: string[] };
  addresses: { icmp?: unknown; datagram: { errno?: string; failedCall?: string; sent: number; pathMtu?: number }; diagnosis: { summary: string; nextSteps: string[] } }[];
}

function probe(address: string): Doc {
  const r = sockscope(['debug-connections', '--udp', '--address', address, '--timeout', '1s', '--send', payload, '--json'], { netns: C });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const doc = JSON.parse(r.stdout) as Doc;
  assert.ok(ProbeResultSchema.safeParse(doc).success, 'the documented schema');
  return doc;
}

for (const [v, address, bare, router, packet, icmp, max] of [
  [4, '10.78.0.2:9003', '10.78.0.2', '10.77.0.254', 1428, { version: 4, type: 3, code: 4, mtu: 1280, from: '10.77.0.254' }, 1252],
  [6, '[fd78::2]:9003', 'fd78::2', 'fd77::fe', 1448, { version: 6, type: 2, code: 0, mtu: 1280, from: 'fd77::fe' }, 1232],
] as const) {
  test(`IPv${v}: EMSGSIZE from a router's ICMP names the path MTU and the router, says the datagram left; the next one is fragmented`, { timeout: 60_000 }, () => {
    const first = probe(address);
    const a = first.addresses[0];
    assert.equal(a.datagram.errno, 'EMSGSIZE');
    assert.equal(a.datagram.failedCall, undefined, 'the send returned: the error came later');
    assert.equal(a.datagram.sent, 1400);
    assert.equal(a.datagram.pathMtu, 1280);
    assert.deepEqual(a.icmp, icmp);
    const s = a.diagnosis.summary;
    assert.ok(s.startsWith(`${address}: the datagram left this host (1400 bytes of data, ${packet} bytes as an IPv${v} packet), but ${router}, a router on the way, dropped it: it is larger than the path MTU of 1280 bytes`), s);
    assert.doesNotMatch(s, /65,5\d7|nothing was sent/);
    assert.ok(a.diagnosis.nextSteps[0].startsWith(`keep each datagram to at most ${max} bytes of data on this path`), a.diagnosis.nextSteps.join('\n'));
    assert.ok(a.diagnosis.nextSteps.includes(`tracepath -n ${bare}   (the MTU hop by hop: where it shrinks)`));
    assert.doesNotMatch(first.verdict.nextSteps.join('\n'), /65,5\d7/);
    // Now the kernel holds the path MTU and fragments: the datagram reaches the server, whose closed port answers.
    const second = probe(address).addresses[0];
    assert.equal(second.datagram.errno, 'ECONNREFUSED');
    assert.equal(second.datagram.pathMtu, 1280);
    assert.ok(second.diagnosis.summary.endsWith(`; the datagram is ${packet} bytes as an IPv${v} packet, larger than the path MTU to ${bare} (1280 bytes), so this host sent it in fragments`), second.diagnosis.summary);
  });
}

test('the text report says the same', { timeout: 60_000 }, () => {
  spawnSync('ip', ['-n', C, 'route', 'flush', 'cache']);
  const r = sockscope(['debug-connections', '--udp', '--address', '10.78.0.2:9004', '--timeout', '1s', '--send', payload], { netns: C });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ {2}sendto: {3}1400 bytes from 10\.77\.0\.1:\d+: sent, then EMSGSIZE after [\d.]+ ms \(a router's ICMP fragmentation needed: larger than the path MTU, 1280 bytes\)$/m, r.stdout);
  assert.match(r.stdout, /^Verdict: 10\.78\.0\.2:9004 \(UDP\): the datagram left this host .* 10\.77\.0\.254, a router on the way, dropped it: it is larger than the path MTU of 1280 bytes/m, r.stdout);
});

// `try sendto '[fe80::1]:9'` (a link-local address without its zone): unlike bind and connect, which the kernel fails
// with EINVAL, sendto takes it (sin6_scope_id 0) and routes it by the fe80::/64 routes, and the result never said that
// no zone was given nor where it went; README said sendto got EINVAL. A network namespace of this test with veth
// interfaces whose peers are in a second one (nothing answers neighbour discovery for fe80::1: the datagram waits and
// is dropped, after the 1 s wait): with one, the result names it (and it is the interface `ip -6 route get` names);
// with two, both are candidates. Needs root (as CI), iproute2.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createNetns, deleteNetns } from '../helpers/netns.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const NS = `ss-llsend-${process.pid}`;
const PEER = `ss-llpeer-${process.pid}`;
const D0 = `lls0${process.pid % 10000}`;
const D1 = `lls1${process.pid % 10000}`;
const isRoot = process.getuid?.() === 0;

after(() => {
  deleteNetns(NS);
  deleteNetns(PEER);
});

/** A veth `dev` in NS, its peer in PEER, both up. */
function veth(dev: string): void {
  for (const a of [
    ['link', 'add', dev, 'netns', NS, 'type', 'veth', 'peer', 'name', `p${dev}`, 'netns', PEER],
    ['-n', NS, 'link', 'set', dev, 'up'],
    ['-n', PEER, 'link', 'set', `p${dev}`, 'up'],
  ]) {
    const r = spawnSync('ip', a, { encoding: 'utf8' });
    assert.equal(r.status, 0, `ip ${a.join(' ')}: ${r.stderr}`);
  }
}

const inNs = (...args: string[]) => spawnSync('ip', ['netns', 'exec', NS, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });

function waitLinkLocal(dev: string): void {
  for (let i = 0; i < 50; i++) {
    const shown = spawnSync('ip', ['-n', NS, '-6', 'addr', 'show', 'dev', dev], { encoding: 'utf8' }).stdout;
    if (/inet6 fe80::/.test(shown) && !/tentative/.test(shown)) return; // DAD done: usable as a source address
    spawnSync('sleep', ['0.1']);
  }
  assert.fail(`${dev} has no link-local address`);
}

interface TryDoc {
  call: { ok: boolean; errno?: string };
  interpretation: { ok: boolean; summary: string; nextSteps: string[] };
}

test('try sendto to a link-local address without a zone: sent, and the result says no zone was given and which interface', { skip: !isRoot && 'needs root (as CI)', timeout: 60_000 }, () => {
  createNetns(NS);
  createNetns(PEER);
  veth(D0);
  waitLinkLocal(D0);
  const routed = spawnSync('ip', ['-n', NS, '-6', 'route', 'get', 'fe80::1'], { encoding: 'utf8' }).stdout;
  assert.match(routed, new RegExp(` dev ${D0} `), routed);

  const one = JSON.parse(inNs(BIN, 'try', 'sendto', '[fe80::1]:9', '--json').stdout) as TryDoc;
  assert.equal(one.call.ok, true, JSON.stringify(one.call));
  assert.equal(
    one.interpretation.summary,
    `sendto [fe80::1]:9: the kernel accepted 21 bytes and no ICMP error came back within 1000 ms; no zone was given for the link-local address fe80::1 (sin6_scope_id 0), so the kernel chose the interface by its routes: ${D0}, the only interface with a link-local address (fe80::/64 on-link)`,
  );
  assert.ok(one.interpretation.nextSteps.includes(`to choose the link: sockscope try sendto '[fe80::1%${D0}]:9'`), one.interpretation.nextSteps.join('\n'));
  // Each datagram goes to an address of its own: an unanswered neighbour lookup fails after about 3 s, and a datagram to
  // that address then ends with EHOSTUNREACH.
  const text = inNs(BIN, 'try', 'sendto', '[fe80::2]:9');
  assert.match(text.stdout, /no zone was given for the link-local address fe80::2 /);
  // With the zone, nothing is said about it.
  const zoned = JSON.parse(inNs(BIN, 'try', 'sendto', `[fe80::3%${D0}]:9`, '--json').stdout) as TryDoc;
  assert.equal(zoned.call.ok, true, JSON.stringify(zoned.call));
  assert.doesNotMatch(zoned.interpretation.summary, /zone/);
  // A TCP connect, and the UDP connect() debug-connections --udp makes, do fail with EINVAL (as README says).
  const connect = JSON.parse(inNs(BIN, 'try', 'connect', '[fe80::1]:9', '--json').stdout) as TryDoc;
  assert.equal(connect.call.errno, 'EINVAL');
  const udp = JSON.parse(inNs(BIN, 'debug-connections', '--udp', '--address', '[fe80::1]:9', '--timeout', '1s', '--json').stdout);
  assert.equal(udp.addresses[0].datagram.errno, 'EINVAL');
  // ...and it is said as the connect()'s failure, not a send's: nothing was sent.
  assert.equal(udp.addresses[0].datagram.failedCall, 'connect');
  const udpText = inNs(BIN, 'debug-connections', '--udp', '--address', '[fe80::1]:9', '--timeout', '1s').stdout;
  assert.match(udpText, /^ {2}connect: {2}UDP connect\(\) before sending an empty datagram: EINVAL after [\d.]+ ms \(Invalid argument\); nothing was sent$/m);
  assert.doesNotMatch(udpText, /^ {2}sendto:/m);

  // Two interfaces with a link-local address: the kernel picked one of them.
  veth(D1);
  waitLinkLocal(D1);
  const two = JSON.parse(inNs(BIN, 'try', 'sendto', '[fe80::4]:9', '--json').stdout) as TryDoc;
  assert.equal(two.call.ok, true, JSON.stringify(two.call));
  assert.match(two.interpretation.summary, new RegExp(`; no zone was given for the link-local address fe80::4 \\(sin6_scope_id 0\\), so the kernel chose the interface by its routes, one of (${D0}, ${D1}|${D1}, ${D0}) \\(ip -6 route get fe80::4 shows which\\)$`), two.interpretation.summary);
  assert.ok(two.interpretation.nextSteps.includes(`to choose the link: sockscope try sendto '[fe80::4%IFACE]:9'`), two.interpretation.nextSteps.join('\n'));
});

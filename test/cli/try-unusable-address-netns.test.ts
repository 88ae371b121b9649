// Addresses `try` misread (user review s26 try #2, #4, #5, #7), each in network namespaces of this test:
// - a global IPv6 address still tentative (duplicate address detection running) or dadfailed (a peer namespace has
//   it) was "not an address of this host (this host has ..., fd78::1, ...)" with IP_FREEBIND advice: the
//   "tentative or dadfailed" words came only for a zoned link-local target;
// - `try sendto '[::1]:53'` with IPv6 disabled said only "sendto failed with EADDRNOTAVAIL" (bind and connect say IPv6
//   is disabled, with the sysctl);
// - an unzoned link-local sendto that the peer answers with a port unreachable dropped the "no zone was given" note
//   the success path has;
// - `try bind '[::ffff:127.0.0.1]:P' --v6only` was a bare "bind failed with EINVAL";
// - without ip in PATH, the tentative state was never read (now from /proc/net/if_inet6).
// Needs root (as CI), iproute2.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BIN, sockscope } from '../collect/getsockopt-helpers.js';
import { createNetns, deleteNetns } from '../helpers/netns.js';

const tag = process.pid % 10000;
const NS = `ss-unad-${process.pid}`;
const NS2 = `ss-unad2-${process.pid}`;
const PEER = `ss-unadp-${process.pid}`;
const NOV6 = `ss-unad6-${process.pid}`;
const IA = `una${tag}`;
const IB = `unb${tag}`;
const VA = `unv${tag}`;
const VB = `unw${tag}`;
const isRoot = process.getuid?.() === 0;
const skip = !isRoot && 'needs root (as CI)';

after(() => {
  for (const ns of [NS, NS2, PEER, NOV6]) deleteNetns(ns);
});

interface TryDoc {
  call: { ok: boolean; errno?: string };
  context: { addressState?: { state: string; dev?: string } };
  interpretation: { ok: boolean; summary: string; details: string[]; nextSteps: string[] };
}

const ip = (...a: string[]) => {
  const r = spawnSync('ip', a, { encoding: 'utf8' });
  assert.equal(r.status, 0, `ip ${a.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

/** `sockscope try ARGS` in namespace `ns`, as --json and as text. */
const run = (ns: string, ...args: string[]): { doc: TryDoc; text: string } => {
  const j = sockscope(['try', ...args, '--json'], { netns: ns });
  assert.equal(j.status, 0, j.stderr);
  const t = sockscope(['try', ...args], { netns: ns });
  assert.equal(t.status, 0, t.stderr);
  return { doc: JSON.parse(j.stdout) as TryDoc, text: t.stdout };
};

/** Waits until `ip -n ns -6 addr show dev` matches `re` (10 s at most). */
function waitAddr(ns: string, dev: string, re: RegExp): void {
  for (let i = 0; i < 100; i++) {
    if (re.test(ip('-n', ns, '-6', 'addr', 'show', 'dev', dev))) return;
    spawnSync('sleep', ['0.1']);
  }
  assert.fail(`${dev} in ${ns}: no ${re}`);
}

test('a tentative global IPv6 address: bind says tentative (DAD running), not "not an address of this host"', { skip, timeout: 60_000 }, () => {
  createNetns(NS, [['link', 'add', IA, 'type', 'veth', 'peer', 'name', IB], ['link', 'set', IA, 'up'], ['link', 'set', IB, 'up']]);
  ip('netns', 'exec', NS, 'sysctl', '-qw', `net.ipv6.conf.${IA}.dad_transmits=60`);
  ip('-n', NS, 'addr', 'add', 'fd78::1/64', 'dev', IA);
  const { doc, text } = run(NS, 'bind', '[fd78::1]:8080');
  assert.equal(doc.call.errno, 'EADDRNOTAVAIL');
  assert.deepEqual(doc.context.addressState, { state: 'tentative', dev: IA });
  assert.match(doc.interpretation.summary, new RegExp(`^fd78::1 is on ${IA} but not usable yet: tentative: duplicate address detection runs for net\\.ipv6\\.conf\\.${IA}\\.dad_transmits probes`));
  assert.ok(doc.interpretation.nextSteps.includes("sockscope try bind '[fd78::1]:8080'   (again, once DAD is done)"), doc.interpretation.nextSteps.join('\n'));
  assert.ok(!text.includes('is not an address of this host'), text);
  assert.ok(text.includes(`Failed: ${doc.interpretation.summary}\n`), text);
  // Without ip in PATH the state is read from /proc/net/if_inet6 (it was never read: "tentative or dadfailed", and
  // `ip -6 addr add fd78::1/PREFIX nodad` without dev; review of f7709096 #3).
  const noIp = spawnSync('ip', ['netns', 'exec', NS, 'env', 'PATH=/nonexistent', process.execPath, BIN, 'try', 'bind', '[fd78::1]:8080', '--json'], { encoding: 'utf8' });
  assert.equal(noIp.status, 0, noIp.stderr);
  const bare = JSON.parse(noIp.stdout) as TryDoc;
  assert.deepEqual(bare.context.addressState, { state: 'tentative', dev: IA });
  assert.ok(bare.interpretation.nextSteps.some((s) => s.includes(`ip -6 addr add fd78::1/PREFIX dev ${IA} nodad`)), bare.interpretation.nextSteps.join('\n'));
});

test('an IPV6_V6ONLY socket and an IPv4-mapped address: bind says why (EINVAL), and the advice binds', { skip, timeout: 60_000 }, () => {
  const { doc, text } = run(NS, 'bind', '[::ffff:127.0.0.1]:55599', '--v6only');
  assert.equal(doc.call.errno, 'EINVAL');
  assert.equal(
    doc.interpretation.summary,
    '::ffff:127.0.0.1 is an IPv4-mapped address (IPv4 127.0.0.1 written as IPv6), and a socket with IPV6_V6ONLY (--v6only) takes IPv6 only: it cannot bind an IPv4 address, mapped or not',
  );
  assert.deepEqual(doc.interpretation.nextSteps, ["without IPV6_V6ONLY: sockscope try bind '[::ffff:127.0.0.1]:55599'", 'or bind the IPv4 address on an IPv4 socket: sockscope try bind 127.0.0.1:55599']);
  assert.ok(text.includes(`Failed: ${doc.interpretation.summary}\n`), text);
  assert.equal(run(NS, 'bind', '[::ffff:127.0.0.1]:55599').doc.call.ok, true, 'without --v6only it binds');
  // IPv6-only by default (net.ipv6.bindv6only=1): said so, and --v6only=false is the way.
  ip('netns', 'exec', NS, 'sysctl', '-qw', 'net.ipv6.bindv6only=1');
  const byDefault = run(NS, 'bind', '[::ffff:127.0.0.1]:55599', '--udp').doc;
  assert.equal(byDefault.call.errno, 'EINVAL');
  assert.match(byDefault.interpretation.summary, /IPV6_V6ONLY \(the default here: net\.ipv6\.bindv6only=1\)/);
  assert.equal(byDefault.interpretation.nextSteps[0], "without IPV6_V6ONLY: sockscope try bind '[::ffff:127.0.0.1]:55599' --v6only=false --udp");
  assert.equal(run(NS, 'bind', '[::ffff:127.0.0.1]:55599', '--v6only=false', '--udp').doc.call.ok, true, 'the advice binds');
  ip('netns', 'exec', NS, 'sysctl', '-qw', 'net.ipv6.bindv6only=0');
});

test('a dadfailed address (a peer has it), and a refused unzoned link-local sendto keeps its zone note', { skip, timeout: 60_000 }, () => {
  createNetns(NS2);
  createNetns(PEER);
  ip('link', 'add', VA, 'netns', NS2, 'type', 'veth', 'peer', 'name', VB, 'netns', PEER);
  ip('-n', PEER, 'addr', 'add', 'fd79::1/64', 'dev', VB, 'nodad');
  ip('-n', NS2, 'link', 'set', VA, 'up');
  ip('-n', PEER, 'link', 'set', VB, 'up');
  waitAddr(PEER, VB, /inet6 fe80::\S+ scope link\s*\n/);
  waitAddr(NS2, VA, /inet6 fe80::\S+ scope link\s*\n/); // DAD done on the link-local address
  ip('-n', NS2, 'addr', 'add', 'fd79::1/64', 'dev', VA);
  waitAddr(NS2, VA, /fd79::1\/64 scope global dadfailed/);
  const failed = run(NS2, 'bind', '[fd79::1]:8080');
  assert.equal(failed.doc.call.errno, 'EADDRNOTAVAIL');
  assert.deepEqual(failed.doc.context.addressState, { state: 'dadfailed', dev: VA });
  assert.match(failed.doc.interpretation.summary, new RegExp(`^fd79::1 is on ${VA} but unusable: dadfailed: duplicate address detection found another host on the link with it`));
  assert.ok(!failed.doc.interpretation.nextSteps.some((s) => s.includes('IP_FREEBIND')), failed.doc.interpretation.nextSteps.join('\n'));

  // The peer's link-local address without a zone: sent out of VA (the only link), answered with a port unreachable.
  const ll = /inet6 (fe80::[0-9a-f:]+)\/64 scope link/.exec(ip('-n', PEER, '-6', 'addr', 'show', 'dev', VB))![1];
  const { doc, text } = run(NS2, 'sendto', `[${ll}]:9`);
  assert.equal(doc.call.errno, 'ECONNREFUSED', JSON.stringify(doc.call));
  assert.match(doc.interpretation.summary, new RegExp(`no zone was given for the link-local address ${ll} \\(sin6_scope_id 0\\), so the kernel chose the interface by its routes: ${VA}, the only interface with a link-local address`));
  assert.ok(doc.interpretation.nextSteps.includes(`to choose the link: sockscope try sendto '[${ll}%${VA}]:9'`), doc.interpretation.nextSteps.join('\n'));
  assert.ok(text.includes(`Failed: ${doc.interpretation.summary}\n`), text);
});

test('sendto ::1 with IPv6 disabled says IPv6 is disabled, as bind does', { skip, timeout: 60_000 }, () => {
  createNetns(NOV6);
  for (const k of ['all', 'default', 'lo']) ip('netns', 'exec', NOV6, 'sysctl', '-qw', `net.ipv6.conf.${k}.disable_ipv6=1`);
  const { doc, text } = run(NOV6, 'sendto', '[::1]:53');
  assert.equal(doc.call.errno, 'EADDRNOTAVAIL');
  assert.equal(doc.interpretation.summary, '[::1]:53: this host has no IPv6 address to send from: IPv6 is disabled (net.ipv6.conf.all.disable_ipv6=1)');
  assert.deepEqual(doc.interpretation.nextSteps, [
    'sysctl net.ipv6.conf.all.disable_ipv6 net.ipv6.conf.default.disable_ipv6 net.ipv6.conf.lo.disable_ipv6   (1: IPv6 off; sysctl -w NAME=0 turns it on)',
    'or send to 127.0.0.1: sockscope try sendto 127.0.0.1:53',
  ]);
  assert.ok(text.includes(`Failed: ${doc.interpretation.summary}\n`), text);
  assert.match(run(NOV6, 'bind', '[::1]:53').doc.interpretation.summary, /IPv6 is disabled/);
});

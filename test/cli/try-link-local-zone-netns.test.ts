// `try bind '[fe80::X%lo]:P'` where fe80::X is on another interface: EADDRNOTAVAIL is right, but the summary said
// "[fe80::X%lo] is not an address of this host (this host has ..., fe80::X)", contradicting itself (review s15 #3).
// The context's hostAddresses now carry each link-local address's zone (by name, or by index when the target's
// zone is an index), and the summary says which interface the address belongs to. A network namespace of this
// test with a veth pair: fe80::77 on one end (no DAD), fe80::88 on the other still tentative (DAD with 60
// transmits). Needs root (as CI), iproute2.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createNetns, deleteNetns } from '../helpers/netns.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const NS = `ss-llz-${process.pid}`;
const IA = `llza${process.pid % 10000}`;
const IB = `llzb${process.pid % 10000}`;
const isRoot = process.getuid?.() === 0;

after(() => deleteNetns(NS));

function inNs(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('ip', ['netns', 'exec', NS, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
}

interface TryDoc {
  call: { ok: boolean; errno?: string };
  context: { hostAddresses?: string[] };
  interpretation: { summary: string; nextSteps: string[] };
}

test('try bind of a link-local address with another interface\'s zone names the interface it belongs to', { skip: !isRoot && 'needs root (as CI)', timeout: 60_000 }, () => {
  createNetns(NS, [
    ['link', 'add', IA, 'type', 'veth', 'peer', 'name', IB],
    ['addr', 'add', 'fe80::77/64', 'dev', IA, 'nodad'],
    ['link', 'set', IA, 'up'],
    ['link', 'set', IB, 'up'],
  ]);
  for (const k of [`net.ipv6.conf.${IB}.dad_transmits=60`, `net.ipv6.conf.${IB}.accept_dad=1`]) assert.equal(inNs('sysctl', '-qw', k).status, 0, k);
  assert.equal(spawnSync('ip', ['-n', NS, 'addr', 'add', 'fe80::88/64', 'dev', IB]).status, 0);
  const index = (i: string) => Number(/^(\d+):/.exec(spawnSync('ip', ['-n', NS, '-o', 'link', 'show', i], { encoding: 'utf8' }).stdout)![1]);
  const run = (target: string): TryDoc => {
    const r = inNs(BIN, 'try', 'bind', target, '--json');
    assert.equal(r.stderr, '', target);
    return JSON.parse(r.stdout) as TryDoc;
  };

  // By name: lo is not where fe80::77 is.
  const byName = run('[fe80::77%lo]:5501');
  assert.equal(byName.call.errno, 'EADDRNOTAVAIL');
  assert.equal(byName.interpretation.summary, `fe80::77 is not an address of lo: it belongs to another interface, ${IA} (a link-local address is one link's; the zone says which)`);
  assert.equal(byName.interpretation.nextSteps[0], `sockscope try bind '[fe80::77%${IA}]:5501'   (fe80::77 on ${IA})`);
  assert.ok(byName.context.hostAddresses?.includes(`fe80::77%${IA}`), JSON.stringify(byName.context.hostAddresses));
  assert.ok(!byName.context.hostAddresses?.includes('fe80::77'), 'a link-local address is listed with its zone');
  // Spelled otherwise (a zero group, upper case): still the same address, found on its interface by canonical form.
  for (const spelling of ['fe80:0::77', 'FE80::0:77']) {
    const other = run(`[${spelling}%lo]:5501`);
    assert.equal(other.call.errno, 'EADDRNOTAVAIL', spelling);
    assert.match(other.interpretation.summary, new RegExp(`is not an address of lo: it belongs to another interface, ${IA} `), spelling);
    assert.doesNotMatch(other.interpretation.summary, /not an address of this host/, spelling);
  }
  // By index: the zones are written as the target's is.
  const byIndex = run(`[fe80::77%1]:5501`);
  assert.equal(byIndex.call.errno, 'EADDRNOTAVAIL');
  assert.equal(byIndex.interpretation.summary, `fe80::77 is not an address of interface index 1: it belongs to another interface, interface index ${index(IA)} (a link-local address is one link's; the zone says which)`);
  // On its own interface it binds.
  assert.equal(run(`[fe80::77%${IA}]:5501`).call.ok, true);
  // On its own interface but still tentative (duplicate address detection): not "another interface".
  const tentative = run(`[fe80::88%${IB}]:5501`);
  assert.equal(tentative.call.errno, 'EADDRNOTAVAIL');
  assert.match(tentative.interpretation.summary, new RegExp(`^fe80::88 is on ${IB} but not usable yet: tentative`));
  // The text report says the same.
  const text = inNs(BIN, 'try', 'bind', '[fe80::77%lo]:5501');
  assert.match(text.stdout, new RegExp(`^Failed: fe80::77 is not an address of lo: it belongs to another interface, ${IA} `, 'm'), text.stdout);
  assert.doesNotMatch(text.stdout, /is not an address of this host/, text.stdout);
});

// try bind/connect of an IPv6 link-local address without a zone (EINVAL) suggested "%eth0", hard-coded, on a host
// with no eth0 (review s17 #3). Now: bind names the interface that has the address, connect the only interface with a
// link-local address (fe80::/64 on-link), and IFACE with the candidates when there are several. Namespaces of this
// test joined by veth pairs. Needs root (as CI), iproute2.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { deleteNetns, vethPair } from '../helpers/netns.js';

const A = `sockscope-llia-${process.pid}`;
const B = `sockscope-llib-${process.pid}`;
const IA = `lla${process.pid % 100000}`;
const IB = `llb${process.pid % 100000}`;
const ip = (...a: string[]) => assert.equal(spawnSync('ip', a, { encoding: 'utf8' }).status, 0, `ip ${a.join(' ')}`);

before(() => {
  vethPair(A, B, IA, IB, '10.95.0');
  ip('-n', A, 'addr', 'add', 'fe80::a1/64', 'dev', IA, 'nodad');
  ip('-n', B, 'addr', 'add', 'fe80::b2/64', 'dev', IB, 'nodad');
});
after(() => {
  deleteNetns(A);
  deleteNetns(B);
});

const tryIn = (op: string, target: string) => {
  // --timeout only where it applies (bind does not wait: refused with it since 9cd8a93).
  const r = sockscope(['try', op, target, ...(op === 'bind' || op === 'listen' ? [] : ['--timeout', '1s']), '--json'], { netns: A });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { call: { errno?: string }; interpretation: { summary: string; nextSteps: string[] } };
  assert.equal(doc.call.errno, 'EINVAL');
  return doc.interpretation;
};

test('without a zone: bind names the interface with the address, connect the link it is on', { timeout: 60_000 }, () => {
  const bind = tryIn('bind', '[fe80::a1]:8090');
  assert.match(bind.summary, new RegExp(`as in \\[fe80::a1%${IA}\\]:8090 \\(${IA}: the interface with that address\\)`), bind.summary);
  assert.doesNotMatch(bind.summary, /eth0/);
  assert.ok(bind.nextSteps.includes(`sockscope try bind '[fe80::a1%${IA}]:8090'`), bind.nextSteps.join('\n'));
  const connect = tryIn('connect', '[fe80::b2]:8090');
  assert.match(connect.summary, new RegExp(`as in \\[fe80::b2%${IA}\\]:8090 \\(${IA}: the only interface with a link-local address`), connect.summary);
  assert.ok(connect.nextSteps.includes(`sockscope try connect '[fe80::b2%${IA}]:8090'`), connect.nextSteps.join('\n'));
  // The suggestion works: connect with that zone reaches the peer (refused: nothing listens there).
  const r = JSON.parse(sockscope(['try', 'connect', `[fe80::b2%${IA}]:8090`, '--timeout', '2s', '--json'], { netns: A }).stdout);
  assert.equal(r.call.errno, 'ECONNREFUSED');
});

test('several links: IFACE, and the interfaces it can be', { timeout: 60_000 }, () => {
  const second = `${IA}x`;
  ip('-n', A, 'link', 'add', second, 'type', 'veth', 'peer', 'name', `${IA}y`);
  ip('-n', A, 'addr', 'add', 'fe80::c3/64', 'dev', second, 'nodad');
  ip('-n', A, 'link', 'set', second, 'up');
  ip('-n', A, 'link', 'set', `${IA}y`, 'up'); // running (a carrier): Node lists only the addresses of running interfaces
  const connect = tryIn('connect', '[fe80::b2]:8090');
  assert.match(connect.summary, /as in \[fe80::b2%IFACE\]:8090 \(IFACE: the link it is on, one of /, connect.summary);
  assert.ok(connect.summary.includes(IA) && connect.summary.includes(second), connect.summary);
  assert.ok(connect.nextSteps.includes("sockscope try connect '[fe80::b2%IFACE]:8090'"), connect.nextSteps.join('\n'));
  // An address this host does not have: no interface to name.
  assert.match(tryIn('bind', '[fe80::99]:8090').summary, /as in \[fe80::99%IFACE\]:8090$/);
});

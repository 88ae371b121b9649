// `sockscope try` in a network namespace of this test: the sysctl for a non-local IPv6 bind, a dual-stack
// [::] bind against an IPv4 listener (and --v6only), a UDP holder's state, a SO_REUSEPORT listen beside another.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { createNetns, deleteNetns, netnsHolder } from '../helpers/netns.js';

const NS = `sockscope-trynet-${process.pid}`;
const ip = (...a: string[]) => assert.equal(spawnSync('ip', a, { encoding: 'utf8' }).status, 0, `ip ${a.join(' ')}`);
const sysctl = (kv: string) => ip('netns', 'exec', NS, 'sysctl', '-qw', kv);

before(() => createNetns(NS));
after(() => deleteNetns(NS));

const json = (args: string[]) => {
  const r = sockscope([...args, '--json'], { netns: NS });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
};

test('a non-local IPv6 bind: net.ipv4.ip_nonlocal_bind does not help, net.ipv6.ip_nonlocal_bind does, and try says the IPv6 one', { timeout: 60_000 }, () => {
  const target = '[2001:db8::1]:8080';
  sysctl('net.ipv4.ip_nonlocal_bind=1');
  const failed = json(['try', 'bind', target]);
  assert.equal(failed.call.errno, 'EADDRNOTAVAIL');
  assert.ok(failed.interpretation.nextSteps.some((s: string) => s.includes('sysctl net.ipv6.ip_nonlocal_bind=1')), failed.interpretation.nextSteps.join('\n'));
  assert.ok(!failed.interpretation.nextSteps.some((s: string) => s.includes('net.ipv4.ip_nonlocal_bind=1')));
  assert.equal(json(['try', 'bind', '10.9.9.9:8080']).call.ok, true, 'the IPv4 sysctl works for IPv4');
  sysctl('net.ipv6.ip_nonlocal_bind=1');
  assert.equal(json(['try', 'bind', target]).call.ok, true, 'the advice, followed, lets the bind through');
  sysctl('net.ipv4.ip_nonlocal_bind=0');
  sysctl('net.ipv6.ip_nonlocal_bind=0');
});

const holder = (code: string) => netnsHolder(NS, code);

test('[::] against an IPv4 listener: EADDRINUSE says IPV6_V6ONLY is why, and --v6only binds', { timeout: 60_000 }, async (t) => {
  const h = await holder([
    's = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1); s.bind(("0.0.0.0", 41000)); s.listen()',
    'u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 41001))',
    'u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u2.bind(("127.0.0.2", 41001))',
  ].join('\n'));
  t.after(() => h.kill('SIGKILL'));
  const dual = sockscope(['try', 'bind', '[::]:41000'], { netns: NS });
  assert.equal(dual.status, 0, dual.stderr);
  assert.match(dual.stdout, /-> EADDRINUSE/);
  assert.match(dual.stdout, /\[::\]:41000 with IPV6_V6ONLY off \(the default: net\.ipv6\.bindv6only=0\) also takes IPv4 port 41000, and 0\.0\.0\.0:41000 already holds it/);
  assert.match(dual.stdout, /sockscope try bind '\[::\]:41000' --v6only/);
  const v6only = json(['try', 'bind', '[::]:41000', '--v6only']);
  assert.equal(v6only.call.ok, true, 'with IPV6_V6ONLY the same bind gets through');
  // a UDP socket bound beside another on the same port, in ss's words
  const udp = json(['try', 'bind', '0.0.0.0:41001', '--udp']);
  assert.equal(udp.call.errno, 'EADDRINUSE');
  assert.match(udp.interpretation.summary, /^UDP port 41001 is held by pid \d+ \(python3\), bound on 127\.0\.0\.\d:41001$/);
  assert.ok(udp.interpretation.details.some((d: string) => /^also UNCONN on 127\.0\.0\.\d:41001: pid \d+ \(python3\)$/.test(d)), udp.interpretation.details.join('\n'));
  // a SO_REUSEPORT listen beside the holder's: shared, and said so
  const shared = json(['try', 'listen', '0.0.0.0:41000', '--reuseport']);
  assert.equal(shared.call.ok, true);
  assert.match(shared.interpretation.summary, /with SO_REUSEPORT it shared port 41000 with (pid \d+ \(python3\)|the listener on 0\.0\.0\.0:41000)$/);
});

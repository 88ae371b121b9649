// time-wait-port-exhaustion at 100% (review s14 #3): with every local port of ip_local_port_range held by a
// connection to one destination, connect() fails with EADDRNOTAVAIL, yet the finding said "Ephemeral port
// exhaustion risk: ... use 100% of the 50 local ports". It now says the ports are exhausted and connect()
// fails now; below 100% it stays a risk. A namespace of the test's own with ip_local_port_range shrunk to
// 50 ports (40000-40049), a python3 server on 127.0.0.1 that closes after the client, and a client that
// connects and closes first (each leaves a TIME_WAIT).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeWaitNetns } from '../helpers/time-wait-netns.js';

const NS = `sockscope-twfull-${process.pid}`;

test('every ephemeral port held to one destination: connect() fails now, not a risk; 90% stays a risk', { timeout: 120_000 }, async (t) => {
  // tcp_tw_reuse 0 for the burst: with the default 2 (loopback) a loaded host lets a connect() through once
  // an entry is 1 s old, and the count of failures would depend on the machine's speed.
  const ns = await timeWaitNetns(t, NS, [7010, 7011], ['net.ipv4.tcp_tw_reuse=0']);
  const exhaustion = (peerPort: number) => ns.exhaustion(peerPort, ['--samples', '3', '--sample-interval', '300ms']);

  // 80 attempts in a burst: 50 get a port, the others fail with EADDRNOTAVAIL (a full run on a loaded machine saw
  // 52 get one: the exact split is the kernel's; what matters is that connect() fails once every port is held).
  const [ok, fail, ...err] = ns.connect(7010, 80).split(' ');
  assert.ok(Number(ok) >= 50 && Number(fail) > 0 && Number(ok) + Number(fail) === 80, `${ok} ok, ${fail} failed`);
  assert.equal(err.join(' '), 'Cannot assign requested address');
  // Under load the kernel sometimes lets a connection go without a TIME_WAIT (52 got through in one run, 49 were
  // left in another): connect again until every one of the 50 ports is held to 7010, then read.
  ns.fill(7010, { what: 'all 50 ports held to 127.0.0.1:7010' });
  const full = exhaustion(7010);
  assert.ok(full, 'time-wait-port-exhaustion');
  assert.equal(full.severity, 'critical');
  assert.match(
    full.message,
    /^Ephemeral ports exhausted: 50 connections from 127\.0\.0\.1 to 127\.0\.0\.1:7010 \(50 in TIME_WAIT\) hold all 50 local ports: connect\(\) to 127\.0\.0\.1:7010 fails now with EADDRNOTAVAIL$/,
  );
  assert.doesNotMatch(full.message, /risk/);
  // With tcp_tw_reuse 2 (loopback) connect() takes over an entry over 1 s old (these are, by now): not "fails
  // now" but a warning that names the one way through (test/advise/time-wait-reuse checks connect() succeeds).
  ns.sysctl('net.ipv4.tcp_tw_reuse=2');
  const reused = exhaustion(7010);
  assert.equal(reused.severity, 'warning');
  // (tcp_timestamps and tcp_tw_reuse_delay, 6.13+, are read from the namespace: the connections used timestamps)
  assert.match(reused.message, /^Ephemeral ports all in use: .* connect\(\) to 127\.0\.0\.1:7010 gets one only by taking over a TIME_WAIT entry, as net\.ipv4\.tcp_tw_reuse=2 does for loopback once an entry is 1 s old( \(net\.ipv4\.tcp_tw_reuse_delay=1000\))? and its connection used TCP timestamps, as loopback ones do here \(net\.ipv4\.tcp_timestamps=1\)/);

  // Another destination has its own 4-tuples: 45 of the 50 ports to 7011 is 90%, a risk (critical level).
  // tcp_tw_reuse back to 0 for this burst too: with 2, a burst slower than 1 s (a loaded CI machine) took over its
  // own older TIME_WAIT entries and left 41 of them, not 45.
  ns.sysctl('net.ipv4.tcp_tw_reuse=0');
  assert.equal(ns.connect(7011, 45), '45 0');
  const near = exhaustion(7011);
  assert.ok(near);
  // (under load some of the 45 leave no TIME_WAIT by the time of the dump: 41-45 were seen; below 100 % it is a risk)
  const m = /^Ephemeral port exhaustion risk: (4\d) connections from 127\.0\.0\.1 to 127\.0\.0\.1:7011 \((4\d) in TIME_WAIT\) use (\d+)% of the 50 local ports$/.exec(near.message);
  assert.ok(m && m[1] === m[2] && Number(m[3]) === Number(m[1]) * 2, near.message);
});

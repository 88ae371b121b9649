// `sockscope try` in a network namespace of this test: sendto honours --timeout (it waited at most 1 s, and an
// ICMP host unreachable after an unanswered ARP comes after ~3 s); the "Sockets on ... port" table shows UDP
// holders as ss does (UNCONN, not the kernel's CLOSE) and names the listener a --reuseport listen shared with.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { createNetns, deleteNetns, netnsHolder } from '../helpers/netns.js';

const NS = `sockscope-trysend-${process.pid}`;

// A link with nobody else on it: ARP for 10.77.0.9 goes out ts0 and comes in ts1, which has no address to answer for.
before(() =>
  createNetns(NS, [
    ['link', 'add', 'ts0', 'type', 'veth', 'peer', 'name', 'ts1'],
    ['addr', 'add', '10.77.0.1/24', 'dev', 'ts0'],
    ['link', 'set', 'ts0', 'up'],
    ['link', 'set', 'ts1', 'up'],
  ]),
);
after(() => deleteNetns(NS));

const json = (args: string[]) => {
  const r = sockscope([...args, '--json'], { netns: NS });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
};

test('try sendto to an on-link address nobody has: --timeout 4s waits for the ICMP error (EHOSTUNREACH); 1s reports none', { timeout: 60_000 }, () => {
  const t0 = Date.now();
  const long = json(['try', 'sendto', '10.77.0.9:9', '--timeout', '4s']);
  const took = Date.now() - t0;
  assert.equal(long.call.ok, false, JSON.stringify(long.call));
  assert.equal(long.call.errno, 'EHOSTUNREACH');
  assert.ok(took >= 2000, `the error comes after the ARP probes give up (~3 s), took ${took} ms`);
  spawnSync('ip', ['-n', NS, 'neigh', 'flush', 'dev', 'ts0']); // a FAILED entry would answer the next sendto at once
  const short = json(['try', 'sendto', '10.77.0.9:9', '--timeout', '1s']);
  assert.equal(short.call.ok, true, 'within 1 s the kernel is still asking ARP');
  assert.match(short.interpretation.summary, /no ICMP error came back within 1000 ms$/);
  // Without --timeout sendto waits 1 s (connect's 3 s default was applied to it too).
  spawnSync('ip', ['-n', NS, 'neigh', 'flush', 'dev', 'ts0']);
  const t1 = Date.now();
  const dflt = json(['try', 'sendto', '10.77.0.9:9']);
  assert.ok(Date.now() - t1 < 2500, `default wait ${Date.now() - t1} ms`);
  assert.match(dflt.interpretation.summary, /no ICMP error came back within 1000 ms$/);
});

const holder = (code: string) => netnsHolder(NS, code);

test('the Sockets table: UDP holders are UNCONN; a --reuseport listen names the process it shared the port with', { timeout: 60_000 }, async (t) => {
  const h = await holder([
    's = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1); s.bind(("0.0.0.0", 41100)); s.listen()',
    'u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 41101))',
  ].join('\n'));
  t.after(() => h.kill('SIGKILL'));
  const pid = h.pid!;
  // ip netns exec runs python3 in its own process (exec): the holder's pid is the child's
  const udp = sockscope(['try', 'bind', '0.0.0.0:41101', '--udp'], { netns: NS });
  assert.equal(udp.status, 0, udp.stderr);
  assert.match(udp.stdout, /\n {2}UNCONN +127\.0\.0\.1:41101 +python3\/\d+\n/);
  assert.doesNotMatch(udp.stdout, /\n {2}CLOSE /);
  const shared = sockscope(['try', 'listen', '0.0.0.0:41100', '--reuseport'], { netns: NS });
  assert.equal(shared.status, 0, shared.stderr);
  assert.match(shared.stdout, new RegExp(`with SO_REUSEPORT it shared port 41100 with pid ${pid} \\(python3\\)`));
  assert.match(shared.stdout, new RegExp(`\\n {2}LISTEN +0\\.0\\.0\\.0:41100 +python3/${pid}\\n`));
});

// try bind on a port held by FIN_WAIT2 orphans whose peers are on this host in CLOSE_WAIT, run as a user who cannot see
// the peers' process (root's): try walked /proc/*/fd once per peer end without a listed process (95be81e), 400 walks
// for 400 orphans, 1.5 s on a quiet host and minutes on a busy one (review s17 diff #1). The peer ends' owners are
// looked up in one walk at most, none when the attribution already found them out of sight; the peer ends are said as
// before. In a namespace of this test. Needs root (as CI), iproute2, python3, setpriv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { netnsWithHolder } from '../helpers/netns.js';
import { closeWaitClients } from '../helpers/orphans.js';

const N = 200;
const CLIENT = closeWaitClients(8011, N);

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test(`${N} FIN_WAIT2 orphans with hidden CLOSE_WAIT peers, as nobody: at most one /proc/*/fd walk, every peer end said`, { timeout: 60_000 }, async (t) => {
  const ns = `sockscope-orpw-${process.pid}`;
  await netnsWithHolder(t, ns, CLIENT);
  const r = spawnSync('ip', ['netns', 'exec', ns, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, BIN, 'try', 'bind', '127.0.0.1:8011', '--json'], {
    encoding: 'utf8',
    cwd: '/tmp',
    timeout: 50_000,
    maxBuffer: 64 << 20,
    env: { ...process.env, NO_COLOR: '1', SOCKET_DEBUG: 'true' },
  });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  const walks = r.stderr.split('\n').filter((l) => l.includes('/proc/*/fd walk'));
  assert.ok(walks.length <= 1, `${walks.length} /proc/*/fd walks:\n${walks.slice(0, 5).join('\n')}`);
  const doc = JSON.parse(r.stdout) as { call: { errno?: string }; context: { holders: { state: string; peer?: string; peerEnd?: { local: string; state: string; processes: unknown[] } }[] } };
  assert.equal(doc.call.errno, 'EADDRINUSE');
  const holders = doc.context.holders;
  assert.equal(holders.length, N);
  for (const h of holders) {
    assert.equal(h.state, 'FIN_WAIT2');
    assert.equal(h.peerEnd?.local, h.peer, JSON.stringify(h));
    assert.equal(h.peerEnd?.state, 'CLOSE_WAIT');
    assert.deepEqual(h.peerEnd?.processes, []);
  }
});

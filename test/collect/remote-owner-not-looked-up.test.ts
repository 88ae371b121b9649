// The monitor with --host as a non-root ssh user: its first frame is read without ss -p (App: processes
// 'none'), and its cells showed `hidden uid 0` for owners never looked up; README: an owner not looked up
// is `?`. Hidden only once a reading looked owners up (ss -p) and showed none. Real sshd, a non-root user,
// the monitor's cell functions on RemoteSource's snapshots (one host: no HOST label; several: the label).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { RemoteSource } from '../../src/collect/remote.js';
import { parseRemoteTarget } from '../../src/collect/remote-target.js';
import { setCellsFromRemote } from '../../src/model/owner.js';
import { summarizePorts } from '../../src/model/aggregate.js';
import { socketProcessLabel, summaryProcessLabel } from '../../src/ui/format.js';
import { startSshdWithUsers } from '../helpers/sshd-users.js';

test('--host as a non-root user: a socket whose owner was not looked up is ?, hidden uid 0 once ss -p looked (real sshd)', { timeout: 120_000 }, async (t) => {
  const sshd = await startSshdWithUsers([{ name: 'sst-nlu', uid: 4252, shell: '/bin/sh' }]);
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.close();
    sshd.stop();
    setCellsFromRemote(false);
  });
  const port = (server.address() as { port: number }).port;
  const src = new RemoteSource(parseRemoteTarget('sst-nlu@sockscope-test'), { configFile: sshd.clientConfig });
  setCellsFromRemote(true);
  const cells = async (processes: 'none' | 'listeners', host?: string) => {
    const snap = await src.collect({ protocols: ['tcp'], port, processes });
    const listener = snap.sockets.find((s) => s.state === 'LISTEN' && s.local.port === port);
    assert.ok(listener, JSON.stringify(snap.sockets));
    assert.equal(listener.uid, process.getuid!(), "the test's own listener (root's), not the ssh user's");
    if (host !== undefined) for (const s of snap.sockets) s.host = host;
    const row = summarizePorts(snap.sockets).find((p) => p.port === port && p.protocol === 'tcp');
    assert.ok(row);
    return { socket: socketProcessLabel(listener), port: summaryProcessLabel(row) };
  };
  // The first frame: no ss -p, so no owner was looked up.
  assert.deepEqual(await cells('none'), { socket: '?', port: '?' });
  assert.deepEqual(await cells('none', src.label), { socket: '?', port: '?' });
  // Later frames: ss -p as that user shows no process of root's.
  assert.deepEqual(await cells('listeners'), { socket: 'hidden uid 0', port: 'hidden uid 0' });
  assert.deepEqual(await cells('listeners', src.label), { socket: 'hidden uid 0', port: 'hidden uid 0' });
});

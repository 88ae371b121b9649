// `analyze --peer-port X --host H` over a real sshd on loopback: a connection H accepted on a listening port
// inside the ephemeral range (a port listen(0) chose) from a client's port X is not one of H's outgoing
// connections to X. The remote collection filtered on X held no listener, so it was counted (review s16).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createConnection, createServer, type Socket as NetSocket } from 'node:net';
import { RemoteSource } from '../../src/collect/remote.js';
import { parseRemoteTarget } from '../../src/collect/remote-target.js';
import { startSshd } from '../helpers/sshd.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test('--peer-port over --host: the remote host\'s accepted connection from a client port is not outgoing', { timeout: 90_000 }, async (t) => {
  const sshd = await startSshd();
  t.after(() => sshd.stop());
  const held: NetSocket[] = [];
  const srv = createServer((s) => held.push(s));
  await new Promise<void>((r) => srv.listen({ port: 0, host: '127.0.0.1' }, () => r()));
  t.after(() => {
    for (const s of held) s.destroy();
    srv.close();
  });
  const port = (srv.address() as { port: number }).port;
  const client = createConnection({ port, host: '127.0.0.1' });
  await new Promise<void>((r) => client.once('connect', () => r()));
  t.after(() => client.destroy());
  while (held.length === 0) await new Promise((r) => setTimeout(r, 10));
  const clientPort = client.localPort!;

  // The remote collection asked with withListeners carries the listener that serves the accepted socket.
  const snap = await new RemoteSource(parseRemoteTarget('sockscope-test'), { configFile: sshd.clientConfig }).collect({ peerPort: clientPort, withListeners: true, protocols: ['tcp', 'udp'] });
  assert.ok(snap.sockets.some((s) => s.state === 'LISTEN' && s.local.port === port), 'the listener is collected');
  assert.ok(snap.sockets.some((s) => s.state === 'ESTABLISHED' && s.local.port === port && s.peer.port === clientPort), 'the accepted socket is collected');

  const cli = (peer: number) => {
    const r = spawnSync(BIN, ['analyze', '--peer-port', String(peer), '--json', '--host', 'sockscope-test', '--ssh-config', sshd.clientConfig], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { source: string; total: number; states: Record<string, number> };
  };
  const accepted = cli(clientPort);
  assert.equal(accepted.source, 'remote');
  // The accepted socket is ESTABLISHED. Other sockets may have this peer port by chance in a long run (a CI run
  // counted one TIME_WAIT: an earlier test's server that closed first, whose client had had the same port number).
  assert.equal(accepted.states.ESTABLISHED, 0, `counted ${JSON.stringify(accepted.states)}`);
  // The client's own connection to the listener is outgoing. As above, a long run can hold other sockets whose
  // peer port has this number (a CI run counted total 2), left in TIME_WAIT and the like by earlier tests; an
  // ESTABLISHED one would need a server on another address holding this number at the same moment.
  const out = cli(port);
  assert.equal(out.states.ESTABLISHED, 1, `counted ${JSON.stringify(out.states)}`);
});

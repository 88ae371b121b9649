// --host over a real sshd on loopback: the remote snapshot matches the local one for a listener we open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { parseRemoteTarget, RemoteSource, remoteScript } from '../../src/collect/remote.js';
import { parseRemoteBundle } from '../../src/parse/remote-bundle.js';
import { startSshd } from '../helpers/sshd.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test('host targets are validated; nothing that looks like an option or shell syntax passes', () => {
  assert.deepEqual(parseRemoteTarget('alice@web1'), { destination: 'alice@web1' });
  assert.deepEqual(parseRemoteTarget('ssh://alice@web1:2222'), { destination: 'alice@web1', port: 2222 });
  assert.deepEqual(parseRemoteTarget('root@[::1]:22'), { destination: 'root@::1', port: 22 });
  for (const bad of ['-oProxyCommand=x', 'a b', 'web1;reboot', '$(id)', 'x@y:99999', '']) assert.throws(() => parseRemoteTarget(bad), bad);
});

test('the remote script carries no user input and its sections parse', () => {
  const script = remoteScript({ port: 8080, protocols: ['tcp'] });
  assert.match(script, /ss -tanOHep -o sport = :8080/);
  const b = parseRemoteBundle(
    '@@sockscope@@ ss\ntcp LISTEN 0 5 127.0.0.1:8080 0.0.0.0:* ino:1 sk:1 <->\n@@sockscope@@ ss-exit\n0\n@@sockscope@@ sysctl\nnet.core.somaxconn=4096\nnet.ipv4.tcp_rmem=4096\t131072\t6291456\n@@sockscope@@ uname\nweb1\n6.1.0\n',
  );
  assert.equal(b.ssExit, 0);
  assert.equal(b.hostname, 'web1');
  assert.equal(b.sysctls['net.core.somaxconn'], '4096');
  assert.equal(b.sysctls['net.ipv4.tcp_rmem'], '4096 131072 6291456');
  assert.equal(b.counters.netstat, null, 'missing section is unknown, not an error');
});

test('--host reads a real sshd on loopback and reports the same listener as the local run', { timeout: 90_000 }, async (t) => {
  const sshd = await startSshd();
  t.after(() => sshd.stop());
  const srv = createServer(() => {});
  await new Promise<void>((r) => srv.listen({ port: 0, host: '127.0.0.1', backlog: 9 }, () => r()));
  t.after(() => srv.close());
  const port = (srv.address() as { port: number }).port;

  const snap = await new RemoteSource(parseRemoteTarget('sockscope-test'), { configFile: sshd.clientConfig }).collect({ port, protocols: ['tcp'] });
  const l = snap.sockets.find((s) => s.state === 'LISTEN' && s.local.port === port);
  assert.ok(l, 'listener seen through ssh');
  assert.equal(l!.sendQ, 9, 'backlog');
  assert.equal(snap.source, 'remote');
  assert.ok(snap.sysctls['net.core.somaxconn'], 'sysctls read remotely');
  assert.ok(snap.counters.netstat?.TcpExt, 'counters read remotely');

  const r = spawnSync(BIN, ['analyze', '--port', String(port), '--json', '--host', 'sockscope-test', '--ssh-config', sshd.clientConfig], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.source, 'remote');
  assert.equal(doc.listeners[0].backlog, 9);
  assert.equal(doc.listeners[0].process.pid, process.pid);

  // the monitor follows one remote host; without a TTY it prints one table of that host's ports
  const mon = spawnSync(BIN, ['--host', 'sockscope-test', '--ssh-config', sshd.clientConfig, '--tcp'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(mon.status, 0, mon.stderr);
  assert.match(mon.stdout, new RegExp(`\\b${port}\\b`));
  assert.match(mon.stdout, /remote/);
  const two = spawnSync(BIN, ['--host', 'a', '--host', 'b']);
  assert.equal(two.status, 2);

  const bad = spawnSync(BIN, ['analyze-states', '--host', 'nobody@127.0.0.1:1', '--ssh-config', sshd.clientConfig], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(bad.status, 1, 'an unreachable host is a runtime failure');
  assert.match(bad.stderr, /ssh nobody@127\.0\.0\.1/);
  const inj = spawnSync(BIN, ['analyze-states', '--host', '-oProxyCommand=touch /tmp/pwned']);
  assert.equal(inj.status, 2);
});

// --host over a real sshd on loopback: the remote snapshot matches the local one for a listener we open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteSource, remoteScript } from '../../src/collect/remote.js';
import { formatRemoteTarget, parseRemoteTarget } from '../../src/collect/remote-target.js';
import { parseRemoteBundle } from '../../src/parse/remote-bundle.js';
import { startSshd } from '../helpers/sshd.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test('host targets are validated; nothing that looks like an option or shell syntax passes', () => {
  assert.deepEqual(parseRemoteTarget('alice@web1'), { destination: 'alice@web1' });
  assert.deepEqual(parseRemoteTarget('ssh://alice@web1:2222'), { destination: 'alice@web1', port: 2222 });
  assert.deepEqual(parseRemoteTarget('root@[::1]:22'), { destination: 'root@::1', port: 22 });
  for (const bad of ['-oProxyCommand=x', 'a b', 'web1;reboot', '$(id)', 'x@y:99999', '']) assert.throws(() => parseRemoteTarget(bad), bad);
});

test('a target is named with its port (two ports of one server were both "ssh root@127.0.0.1"), and the name parses back', () => {
  for (const [text, name] of [['ssh://root@127.0.0.1:22222', 'root@127.0.0.1:22222'], ['web1', 'web1'], ['alice@web1', 'alice@web1'], ['root@[::1]:2222', 'root@[::1]:2222'], ['[fe80::1]', '[fe80::1]']]) {
    const t = parseRemoteTarget(text);
    assert.equal(formatRemoteTarget(t), name, text);
    assert.deepEqual(parseRemoteTarget(name), t, name);
  }
  assert.equal(new RemoteSource(parseRemoteTarget('root@127.0.0.1:22223')).label, 'root@127.0.0.1:22223');
});

test('the remote script carries no user input and its sections parse', () => {
  const nonce = '0123456789abcdef0123456789abcdef';
  const script = remoteScript({ port: 8080, protocols: ['tcp'] }, nonce);
  assert.match(script, /ss -tanOHep -o sport = :8080/);
  assert.match(script, /^echo '@@sockscope@@ 0123456789abcdef0123456789abcdef ss'$/m);
  const h = (n: string) => `@@sockscope@@ ${nonce} ${n}\n`;
  const b = parseRemoteBundle(
    `${h('ss')}tcp LISTEN 0 5 127.0.0.1:8080 0.0.0.0:* ino:1 sk:1 <->\n${h('ss-exit')}0\n${h('sysctl')}net.core.somaxconn=4096\nnet.ipv4.tcp_rmem=4096\t131072\t6291456\n${h('hostname')}web1\n${h('kernel')}6.1.0\n${h('end')}`,
    nonce,
  );
  assert.equal(b.hostname, 'web1');
  assert.equal(b.kernel, '6.1.0');
  assert.equal(b.sysctls['net.core.somaxconn'], '4096');
  assert.equal(b.sysctls['net.ipv4.tcp_rmem'], '4096 131072 6291456');
  assert.equal(b.counters.netstat, null, 'missing section is unknown, not an error');
  assert.equal(b.complete, true);
  assert.deepEqual(b.repeated, []);
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

  const r = spawnSync(BIN, ['analyze', '--port', String(port), '--json', '--host', 'sockscope-test', '--ssh-config', sshd.clientConfig], { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.source, 'remote');
  assert.equal(doc.listeners[0].backlog, 9);
  assert.equal(doc.listeners[0].process.pid, process.pid);

  // the monitor follows one remote host; without a TTY it prints one table of that host's ports
  const mon = spawnSync(BIN, ['--host', 'sockscope-test', '--ssh-config', sshd.clientConfig, '--tcp'], { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
  assert.equal(mon.status, 0, mon.stderr);
  assert.match(mon.stdout, new RegExp(`\\b${port}\\b`));
  assert.match(mon.stdout, /remote/);

  // several --host: one monitor with a HOST column; a second alias of the same sshd stands in for a second server
  const cfgDir = mkdtempSync(join(tmpdir(), 'sockscope-multi-'));
  t.after(() => rmSync(cfgDir, { recursive: true, force: true }));
  const base = readFileSync(sshd.clientConfig, 'utf8');
  const twoCfg = join(cfgDir, 'ssh_config');
  writeFileSync(twoCfg, `${base}\n${base.replace('Host sockscope-test', 'Host sockscope-test2')}`);
  const hostsArgs = ['--host', 'sockscope-test', '--host', 'sockscope-test2', '--ssh-config', twoCfg, '--tcp', '--port', String(port)];
  const plain = spawnSync(BIN, hostsArgs, { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, /\bHOST\b/, 'HOST column');
  for (const h of ['sockscope-test', 'sockscope-test2']) {
    const row = plain.stdout.split('\n').find((l) => new RegExp(`\\b${h}\\s`).test(l) && new RegExp(`\\b${port}\\b`).test(l));
    assert.ok(row, `a row of ${h} for port ${port}:\n${plain.stdout}`);
  }
  const js = spawnSync(BIN, [...hostsArgs, '--json'], { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
  assert.equal(js.status, 0, js.stderr);
  const jdoc = JSON.parse(js.stdout) as { host: string; ports: { host?: string; port: number; listeners: { backlog: number | null }[] }[] };
  assert.equal(jdoc.host, 'sockscope-test, sockscope-test2');
  const rows = jdoc.ports.filter((p) => p.port === port);
  assert.deepEqual(rows.map((p) => p.host), ['sockscope-test', 'sockscope-test2'], 'one row per host, not merged');
  for (const p of rows) assert.equal(p.listeners[0].backlog, 9);
  // one host down: the other is still shown, with a note naming the failure, and exit 1 as analyze does
  const oneDown = spawnSync(BIN, ['--host', 'sockscope-test', '--host', 'nobody@127.0.0.1:1', '--ssh-config', twoCfg, '--tcp', '--port', String(port), '--json'], { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
  assert.equal(oneDown.status, 1, oneDown.stderr);
  assert.equal(oneDown.stderr, 'sockscope: 1 of 2 hosts failed: nobody@127.0.0.1:1\n');
  const ddoc = JSON.parse(oneDown.stdout) as { ports: { host?: string; port: number }[]; notes: string[] };
  assert.deepEqual(ddoc.ports.filter((p) => p.port === port).map((p) => p.host), ['sockscope-test']);
  assert.ok(ddoc.notes.some((n) => n.startsWith('nobody@127.0.0.1:1: ')), ddoc.notes.join('\n'));

  const bad = spawnSync(BIN, ['analyze-states', '--host', 'nobody@127.0.0.1:1', '--ssh-config', sshd.clientConfig], { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
  assert.equal(bad.status, 1, 'an unreachable host is a runtime failure');
  assert.match(bad.stderr, /ssh nobody@127\.0\.0\.1/);
  const inj = spawnSync(BIN, ['analyze-states', '--host', '-oProxyCommand=touch /tmp/pwned']);
  assert.equal(inj.status, 2);
});

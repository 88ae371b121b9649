// analyze --port P --host web1: the note on a UDP socket that drops suggested `sockscope analyze --port P
// --samples 5 --sample-interval 1s` without --host and --ssh-config, so copying it read the local machine
// (analyze-states' UDP note, the same). The suggested command now carries the flags the report read with:
// that report's --host (one per host of several) and --ssh-config, or a local --source given as a flag.
// A real UDP socket that drops (python3, SO_RCVBUF 4096, never read, a burst on loopback) and a real sshd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { repeatFlags } from '../../src/report/analyze.js';
import { runCli } from '../helpers/run-cli.js';
import { startSshdWithUsers } from '../helpers/sshd-users.js';

const READER = String.raw`
import os, socket, sys, threading
threading.Timer(120, lambda: os._exit(0)).start()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.bind(('127.0.0.1', 0))
print(s.getsockname()[1], flush=True)
sys.stdin.read()
os._exit(0)
`;

const A = 'root@sockscope-test';
const B = 'root@sockscope-test2';

test('repeatFlags: the host and config as shell words, a typed local --source, nothing for auto or a config file\'s source', () => {
  assert.equal(repeatFlags({ host: 'admin@web1:2222', sshConfig: '/home/a/.ssh/cfg' }), ' --host admin@web1:2222 --ssh-config /home/a/.ssh/cfg');
  assert.equal(repeatFlags({ host: 'web1', sshConfig: "/tmp/my dir/o'cfg" }), ` --host web1 --ssh-config '/tmp/my dir/o'\\''cfg'`);
  assert.equal(repeatFlags({ host: 'web1' }), ' --host web1');
  assert.equal(repeatFlags({ source: 'netlink', sourceTyped: true }), ' --source netlink');
  assert.equal(repeatFlags({ source: 'netlink', sourceTyped: false }), '');
  assert.equal(repeatFlags({ source: 'auto', sourceTyped: true }), '');
});

test('analyze and analyze-states on a UDP port that drops: the suggested command reads the same host (real sshd)', { timeout: 180_000 }, async (t) => {
  const child = spawn('python3', ['-c', READER], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => {
    child.stdin!.end();
    child.kill('SIGKILL');
  });
  const port = Number(await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve)));
  const c = createSocket('udp4');
  for (let i = 0; i < 200; i++) await new Promise<void>((r) => c.send(Buffer.alloc(200), port, '127.0.0.1', () => r()));
  c.close();
  const sshd = await startSshdWithUsers([]);
  t.after(() => sshd.stop());
  const cfg = sshd.clientConfig;
  const series = (flags: string) => `sockscope analyze --port ${port}${flags} --samples 5 --sample-interval 1s`;

  await t.test('analyze --host: the note names that --host and --ssh-config', async () => {
    const r = await runCli(['analyze', '--port', String(port), '--host', A, '--ssh-config', cfg]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes(series(` --host ${A} --ssh-config ${cfg}`)), r.stdout);
  });

  await t.test('analyze with two --host, --json: each host\'s note names its own host', async () => {
    const r = await runCli(['analyze', '--port', String(port), '--host', A, '--host', B, '--ssh-config', cfg, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Array<{ target: string; notes: string[] }>;
    for (const [i, host] of [A, B].entries()) {
      assert.equal(doc[i].target, host);
      assert.ok(doc[i].notes.some((n) => n.includes(series(` --host ${host} --ssh-config ${cfg}`))), JSON.stringify(doc[i].notes));
    }
  });

  await t.test('analyze-states --host: its UDP note too', async () => {
    const r = await runCli(['analyze-states', '--port', String(port), '--host', A, '--ssh-config', cfg]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes(`sockscope analyze --port ${port} --host ${A} --ssh-config ${cfg} --samples 5 shows its queue and drops`), r.stdout);
  });

  await t.test('locally with --source netlink: the note keeps it; without --source, nothing is added', async () => {
    const r = await runCli(['analyze', '--port', String(port), '--source', 'netlink']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes(series(' --source netlink')), r.stdout);
    const plain = await runCli(['analyze', '--port', String(port)]);
    assert.equal(plain.status, 0, plain.stderr);
    assert.ok(plain.stdout.includes(series('')), plain.stdout);
  });
});

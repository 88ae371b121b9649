// analyze / analyze-states with several --host, one of them unreachable: a real sshd on loopback and a closed
// port. Every reachable host's report is printed, the failed one is an error entry naming its target
// (user@host:port), exit 1. It used to fail the whole command (Promise.all) and print nothing, with
// "ssh root@127.0.0.1: ... refused" naming neither port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { freePort } from '../helpers/free-port.js';
import { startSshd } from '../helpers/sshd.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

function sockscope(args: string[]) {
  return spawnSync(BIN, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
}

test('several --host, one refused: the reachable host is reported, the other is an error naming user@host:port, exit 1', { timeout: 120_000 }, async (t) => {
  const sshd = await startSshd();
  t.after(() => sshd.stop());
  const held: Socket[] = [];
  const srv = createServer((c) => held.push(c));
  await new Promise<void>((r) => srv.listen({ port: 0, host: '127.0.0.1', backlog: 9 }, () => r()));
  t.after(() => {
    for (const c of held) c.destroy();
    srv.close();
  });
  const port = (srv.address() as { port: number }).port;
  const client = connect(port, '127.0.0.1');
  await new Promise<void>((r) => client.once('connect', () => r()));
  t.after(() => client.destroy());
  // Nothing listens there: ssh's connect is refused at once.
  const closed = await freePort();
  const down = `${sshd.user}@127.0.0.1:${closed}`;
  const hosts = ['--host', 'sockscope-test', '--host', down, '--ssh-config', sshd.clientConfig];

  const text = sockscope(['analyze-states', '--port', String(port), ...hosts]);
  assert.equal(text.status, 1, text.stderr);
  const [up, failed] = text.stdout.split(/^(?===)/m);
  assert.match(up, /^== sockscope-test ==\nESTABLISHED: 1 connections\n[^]*Recommendation: /, text.stdout);
  assert.ok(failed.startsWith(`== ${down} ==\nerror: ssh ${down}: `), text.stdout);
  assert.match(failed, /refused/i);
  assert.equal(text.stderr, `sockscope: 1 of 2 hosts failed: ${down}\n`);

  const json = sockscope(['analyze', '--port', String(port), '--json', ...hosts]);
  assert.equal(json.status, 1, json.stderr);
  const doc = JSON.parse(json.stdout) as { target: string; error?: string; host?: string; listeners?: { backlog: number }[] }[];
  assert.deepEqual(doc.map((d) => d.target), ['sockscope-test', down], 'each item names its --host target');
  assert.equal(doc[0].listeners![0].backlog, 9);
  assert.equal(doc[0].error, undefined);
  assert.match(doc[1].error!, new RegExp(`^ssh ${down.replace(/\./g, '\\.')}: .*refused`, 'i'));
  assert.deepEqual(Object.keys(doc[1]), ['target', 'error']);

  // Every host down: every one named, still exit 1.
  const other = `${sshd.user}@127.0.0.1:${await freePort()}`;
  const none = sockscope(['analyze-states', '--json', '--host', down, '--host', other, '--ssh-config', sshd.clientConfig]);
  assert.equal(none.status, 1, none.stderr);
  assert.deepEqual((JSON.parse(none.stdout) as { target: string }[]).map((d) => d.target), [down, other]);
  assert.equal(none.stderr, `sockscope: 2 of 2 hosts failed: ${down}, ${other}\n`);

  // One --host alone keeps its single document and its one-line error.
  const single = sockscope(['analyze-states', '--host', down, '--ssh-config', sshd.clientConfig]);
  assert.equal(single.status, 1);
  assert.equal(single.stdout, '');
  assert.match(single.stderr, new RegExp(`^sockscope: ssh ${down.replace(/\./g, '\\.')}: .*refused`, 'i'));
});

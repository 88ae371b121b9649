// A listener with backlog 2 and 3 connections waiting, read with procfs or netstat (no backlog): the plain table
// marked its port '.' with "Recommendations: none" and `sockscope --json` had no recommendation, where analyze said
// accept-queue-unknown. The snapshot views (monitor, plain table, --json) now carry that line on the port (mark 'i').
// Real sockets in a namespace of the test's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { netnsWithHolder } from '../helpers/netns.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const netTools = /net-tools/.test(spawnSync('netstat', ['--version'], { encoding: 'utf8' }).stdout ?? '');
const PORT = 7191;

test('plain table and --json: a listener with connections waiting and a backlog the source cannot see is not normal', async (t) => {
  const ns = `sockscope-aqu-${process.pid}`;
  await netnsWithHolder(
    t,
    ns,
    `s=socket.socket(); s.bind(("127.0.0.1",${PORT})); s.listen(2)
cl=[socket.create_connection(("127.0.0.1",${PORT})) for i in range(3)]`,
  );
  const cli = (args: string[]) => spawnSync('ip', ['netns', 'exec', ns, BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  for (const source of ['procfs', ...(netTools ? ['netstat'] : [])]) {
    for (const scope of [[], ['--port', String(PORT)]]) {
      const plain = cli(['--source', source, ...scope]);
      assert.equal(plain.status, 0, plain.stderr);
      const row = plain.stdout.split('\n').find((l) => new RegExp(`^.. +${PORT} tcp `).test(l));
      assert.ok(row, plain.stdout);
      assert.match(row, /^ i /, `${source} ${scope.join(' ')}: the port is not marked normal\n${plain.stdout}`);
      assert.match(plain.stdout, /Accept queue: backlog unknown with this source \(3 waiting\); use --source netlink or ss \[tcp 7191\]/, plain.stdout);
      assert.doesNotMatch(plain.stdout, /Recommendations: none/);
      const json = cli(['--source', source, '--json', ...scope]);
      assert.equal(json.status, 0, json.stderr);
      const recs = (JSON.parse(json.stdout) as { recommendations: { id: string; port?: number; protocol?: string }[] }).recommendations;
      assert.deepEqual(
        recs.filter((r) => r.id === 'accept-queue-unknown').map((r) => [r.port, r.protocol]),
        [[PORT, 'tcp']],
        `${source} ${scope.join(' ')}: ${JSON.stringify(recs)}`,
      );
    }
  }
  // netlink sees the backlog: the finding is accept-queue-full, and no accept-queue-unknown beside it.
  const nl = JSON.parse(cli(['--source', 'netlink', '--json']).stdout) as { recommendations: { id: string }[] };
  assert.ok(nl.recommendations.some((r) => r.id === 'accept-queue-full'), JSON.stringify(nl.recommendations));
  assert.ok(!nl.recommendations.some((r) => r.id === 'accept-queue-unknown'));
});

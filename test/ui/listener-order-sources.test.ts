// Several listeners on one port (review s23 #3): the QUEUE cell kept the first of equally full listeners and
// every list of listeners followed the collector's order, so 0.0.0.0:P listen(16) beside [::]:P (IPV6_V6ONLY)
// listen(32) read 0/32 and [::, 0.0.0.0] from netlink but 0/16 and [0.0.0.0, ::] from ss, and two SO_REUSEPORT
// members swapped places in analyze's table. Now listeners are ordered by address, then inode (the same socket,
// the same inode, from every source), and a tie in fill goes to the larger backlog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { netnsWithHolder } from '../helpers/netns.js';

const root = process.getuid?.() === 0;
const NS = `sockscope-lorder-${process.pid}`;

const HOLDER = `a = socket.socket(); a.bind(('0.0.0.0', 7400)); a.listen(16)
b = socket.socket(socket.AF_INET6); b.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1); b.bind(('::', 7400)); b.listen(32)
group = []
for _ in range(2):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1); s.bind(('127.0.0.1', 7500)); s.listen(8); group.append(s)`;

function cli(args: string[]): string {
  const r = spawnSync('ip', ['netns', 'exec', NS, 'bin/sockscope', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('listeners on one port: the same QUEUE cell and the same order from netlink, ss and procfs', { skip: root ? false : 'needs root (network namespaces)', timeout: 90_000 }, async (t) => {
  await netnsWithHolder(t, NS, HOLDER);
  const memberFds: (number | undefined)[][] = [];
  for (const source of ['netlink', 'ss', 'procfs']) {
    // The plain table's QUEUE cell: the larger backlog of two empty queues (procfs cannot see a backlog).
    const row = cli(['--port', '7400', '--source', source]).split('\n').find((l) => /^\s*\S+\s+7400 tcp /.test(l));
    assert.ok(row, `${source}: a row for 7400`);
    assert.match(row, source === 'procfs' ? / 0\/\? / : / 0\/32 /, `${source}: ${row}`);
    const snap = JSON.parse(cli(['--port', '7400', '--source', source, '--json'])) as { ports: { port: number; listeners: { address: string; backlog: number | null }[] }[] };
    const ls = snap.ports.find((p) => p.port === 7400)!.listeners;
    assert.deepEqual(ls.map((l) => l.address), ['0.0.0.0', '::'], source);
    const dual = JSON.parse(cli(['analyze', '--port', '7400', '--source', source, '--json'])) as { listeners: { address: string }[] };
    assert.deepEqual(dual.listeners.map((l) => l.address), ['0.0.0.0', '::'], `${source}: analyze`);
    // An SO_REUSEPORT pair: one address, told apart by their fds; listed in the same order by every source.
    const group = JSON.parse(cli(['analyze', '--port', '7500', '--source', source, '--json'])) as { listeners: { process: { fd?: number } | null }[] };
    const fds = group.listeners.map((l) => l.process?.fd);
    assert.equal(fds.length, 2, source);
    t.diagnostic(`${source}: SO_REUSEPORT members by fd ${fds.join(', ')}`);
    memberFds.push(fds);
  }
  assert.deepEqual(memberFds[1], memberFds[0], 'ss lists the SO_REUSEPORT members as netlink does');
  assert.deepEqual(memberFds[2], memberFds[0], 'procfs lists the SO_REUSEPORT members as netlink does');
});

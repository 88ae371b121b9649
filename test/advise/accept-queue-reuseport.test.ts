// accept-queue-full on an SO_REUSEPORT group names the stuck member(s) and, when others have room, says to
// check that member's accept loop (the kernel hashes each connection to one member: more workers do not
// drain a queue nobody accepts from); when every member is full the "accept faster" advice stays. Real
// SO_REUSEPORT listeners on loopback (python3), never accepting; real clients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { createSource } from '../../src/collect/index.js';
import { buildAnalyzeReport } from '../../src/report/analyze.js';
import { startPythonHolder } from '../helpers/python-holder.js';
import { waitFor } from '../helpers/free-port.js';

const HOLDER = (backlogs: number[]) => `
import socket, json, sys
ls = []
port = 0
for b in ${JSON.stringify(backlogs)}:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(('127.0.0.1', port))
    port = s.getsockname()[1]
    s.listen(b)
    ls.append(s)
print(json.dumps({'pid': __import__('os').getpid(), 'port': port, 'fds': [s.fileno() for s in ls]}), flush=True)
sys.stdin.read()
`;

interface Holder {
  pid: number;
  port: number;
  fds: number[];
}

function connectMany(port: number, n: number): net.Socket[] {
  return Array.from({ length: n }, () => {
    const c = net.connect(port, '127.0.0.1');
    c.on('error', () => {});
    return c;
  });
}

test('accept-queue-full: 1 of 2 SO_REUSEPORT listeners full names it (pid, fd, inode) and its accept loop; analyze --port through the built CLI', { timeout: 90_000 }, async (t) => {
  const h = await startPythonHolder<Holder>(t, HOLDER([2, 64]));
  const clients = connectMany(h.port, 16);
  t.after(() => clients.forEach((c) => c.destroy()));
  const source = createSource('netlink');
  const snap = await waitFor(
    'the backlog-2 member full (Recv-Q 3)',
    async () => {
      const s = await source.collect({ protocols: ['tcp'], processes: 'all', port: h.port });
      const ls = s.sockets.filter((k) => k.state === 'LISTEN' && k.local.port === h.port);
      const small = ls.find((k) => k.sendQ === 2);
      const big = ls.find((k) => k.sendQ === 64);
      return ls.length === 2 && small?.recvQ === 3 && big && big.recvQ > 0 && big.recvQ < 64 ? s : undefined;
    },
    20_000,
    100,
  );
  const small = snap.sockets.find((k) => k.state === 'LISTEN' && k.local.port === h.port && k.sendQ === 2)!;
  const big = snap.sockets.find((k) => k.state === 'LISTEN' && k.local.port === h.port && k.sendQ === 64)!;
  assert.deepEqual(small.processes.map((p) => [p.pid, p.fd]), [[h.pid, h.fds[0]]]);
  const r = buildAnalyzeReport(snap, { port: h.port }).recommendations.filter((x) => x.id === 'accept-queue-full');
  assert.equal(r.length, 1, 'one finding for the group');
  const f = r[0];
  assert.equal(f.pid, h.pid);
  const member = `fd ${h.fds[0]} of python3 \\(pid ${h.pid}\\), inode ${small.inode}, Recv-Q 3 of backlog 2`;
  assert.match(f.message, new RegExp(`^Accept queue full on tcp 127\\.0\\.0\\.1:${h.port} for 1 of 2 listeners in the SO_REUSEPORT group: ${member}; python3 \\(pid ${h.pid}\\) does not accept\\(\\) on it, so the connections the kernel hashes to it \\(about 1 in 2\\) are dropped while the others have room$`), f.message);
  assert.match(f.evidence, new RegExp(`with room: fd ${h.fds[1]} of python3 \\(pid ${h.pid}\\), inode ${big.inode}, Recv-Q ${big.recvQ} of backlog 64`), f.evidence);
  assert.match(f.fix, new RegExp(`^Check the accept loop of the stuck member \\(${member}\\)`), f.fix);
  assert.doesNotMatch(f.fix, /run more accepting workers|Raise the listen backlog/, 'more workers or a bigger backlog do not drain a member nobody accepts from');

  const cli = spawnSync('bin/sockscope', ['analyze', '--port', String(h.port)], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /accept-queue-full/, cli.stdout);
  assert.match(cli.stdout, /for 1 of 2 listeners in the SO_REUSEPORT group/, cli.stdout);
  assert.match(cli.stdout, new RegExp(`Check the accept loop of the stuck member \\(fd ${h.fds[0]} of python3`), cli.stdout);
});

test('accept-queue-full: every member of an SO_REUSEPORT group full keeps the accept-faster / backlog advice', { timeout: 90_000 }, async (t) => {
  const h = await startPythonHolder<Holder>(t, HOLDER([1, 1]));
  const clients = connectMany(h.port, 16);
  t.after(() => clients.forEach((c) => c.destroy()));
  const source = createSource('netlink');
  const snap = await waitFor(
    'both members full (Recv-Q 2 of backlog 1)',
    async () => {
      const s = await source.collect({ protocols: ['tcp'], processes: 'all', port: h.port });
      const ls = s.sockets.filter((k) => k.state === 'LISTEN' && k.local.port === h.port);
      return ls.length === 2 && ls.every((k) => k.recvQ === 2) ? s : undefined;
    },
    20_000,
    100,
  );
  const r = buildAnalyzeReport(snap, { port: h.port }).recommendations.filter((x) => x.id === 'accept-queue-full');
  assert.equal(r.length, 1);
  assert.match(r[0].message, new RegExp(`^Accept queue full on tcp 127\\.0\\.0\\.1:${h.port}: 2 connections wait for accept\\(\\) with backlog 1 \\(every one of the 2 listeners in the SO_REUSEPORT group is full\\); python3 \\(pid ${h.pid}\\) does not accept fast enough`), r[0].message);
  assert.match(r[0].fix, /^Accept faster: .*run more accepting workers/);
});

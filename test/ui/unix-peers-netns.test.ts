// PEERS of a unix row is its distinct peers (README: "distinct peers"), as a UDP row's: it counted every
// socket that was not listening, so an unconnected datagram socket (ss -xan: peer `* 0`) showed PEERS 1,
// not `·`, and an (unnamed) row of 9 sockets with 4 distinct peer inodes showed 9. Now: the distinct
// non-zero peer inodes of the row's sockets (netlink, ss); none is `·`. Real sockets, in a network namespace
// of this test's own (unix sockets are listed per namespace, so the (unnamed) row holds only these):
// - unconnected datagram sockets: abstract with a NUL inside, path-bound, autobound: `·` (procfs: the first
//   and last; /proc/net/unix shows no peer, so there each connected socket counts as one);
// - three unnamed datagram clients connected to the one path-bound datagram socket (1 peer), two unnamed
//   stream clients accepted by @TAG-srv (2 peers), a socketpair (2 peers): the (unnamed) row, 7 sockets, 5 peers;
// - @TAG-srv: its 2 accepted sockets, 2 peers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createNetns, deleteNetns } from '../helpers/netns.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NS = `sockscope-upeers-${process.pid}`;
const TAG = `upeers${process.pid}`;
const root = process.getuid?.() === 0;

const HOLDER = String.raw`
import socket, sys, os, json, threading
D, TAG = sys.argv[1], sys.argv[2]
keep = []
def dg(): s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); keep.append(s); return s
dg().bind(b'\0nul\0inside-' + TAG.encode())
srv = dg(); srv.bind(D + '/dg.sock')
auto = dg(); auto.bind('')
for i in range(3): dg().connect(D + '/dg.sock')
l = socket.socket(socket.AF_UNIX); l.bind(b'\0' + TAG.encode() + b'-srv'); l.listen(4); keep.append(l)
for i in range(2):
    c = socket.socket(socket.AF_UNIX); c.connect(b'\0' + TAG.encode() + b'-srv'); keep.append(c); keep.append(l.accept()[0])
keep.extend(socket.socketpair())
print(json.dumps({'auto': auto.getsockname()[1:].decode()}), flush=True)
threading.Timer(120, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
`;

test('unix PEERS: distinct non-zero peer inodes per row, `·` for unconnected sockets (netlink, ss; procfs for the unbound-to ones)', { skip: root ? false : 'needs root (network namespace)', timeout: 120_000 }, async (t) => {
  createNetns(NS);
  const dir = mkdtempSync('/tmp/sockscope-upeers-');
  let holder: ChildProcess | undefined;
  t.after(() => {
    holder?.stdin?.end();
    holder?.kill('SIGKILL');
    deleteNetns(NS);
    rmSync(dir, { recursive: true, force: true });
  });
  holder = spawn('ip', ['netns', 'exec', NS, 'python3', '-c', HOLDER, dir, TAG], { stdio: ['pipe', 'pipe', 'inherit'] });
  const { auto } = await new Promise<{ auto: string }>((res, rej) => {
    createInterface({ input: holder!.stdout! }).once('line', (l) => res(JSON.parse(l) as { auto: string }));
    holder!.once('exit', (c) => rej(new Error(`holder exited ${c}`)));
  });
  // The last column of a row is PEERS (a plain table is not cut when piped).
  const peers = (out: string, label: string): string => {
    const row = out.split('\n').find((l) => l.includes(` unix  ${label} `));
    assert.ok(row, `a row for ${label}:\n${out}`);
    return row.trim().split(/\s+/).at(-1)!;
  };
  for (const source of ['netlink', 'ss', 'procfs']) {
    const r = spawnSync('ip', ['netns', 'exec', NS, process.execPath, 'bin/sockscope', '--unix', '--source', source], { encoding: 'utf8', timeout: 60_000, cwd: ROOT });
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout;
    assert.match(out, / PEERS\n/, out);
    // Unconnected datagram sockets: ss -xan says peer `* 0`, no peer.
    // netlink keeps the NUL inside (shown \x00); ss and /proc/net/unix print it as '@'.
    assert.equal(peers(out, source === 'netlink' ? `@nul\\x00inside-${TAG}` : `@nul@inside-${TAG}`), '·', `${source}: abstract, NUL inside\n${out}`);
    assert.equal(peers(out, `@${auto}`), '·', `${source}: autobound\n${out}`);
    // /proc/net/unix shows no peers: there a connected socket counts as one, and the datagram socket the
    // clients connect to reads connected (St 03), as netlink's ESTAB, with no peer of its own.
    if (source === 'procfs') continue;
    assert.equal(peers(out, `${dir}/dg.sock`), '·', `${source}: path-bound (3 clients send to it; it is connected to none)\n${out}`);
    assert.equal(peers(out, `@${TAG}-srv`), '2', `${source}: 2 accepted sockets, 2 peers\n${out}`);
    assert.equal(peers(out, '(unnamed)'), '5', `${source}: 7 unnamed sockets, 5 distinct peers\n${out}`);
  }
});
